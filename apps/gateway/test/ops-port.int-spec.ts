import { Queue, Worker } from 'bullmq';
import { JobName, QueueName } from '@mms/contracts';
import { redisOptionsFrom } from '@mms/queue';
import { DOCS_EXAMPLE_REQUEST, responseField } from '../../../test/docs-examples';
import { eventually, suitePrefix } from '../../../test/fixtures';
import { GatewayHarness, startGateway } from './gateway-harness';

/**
 * The partners' port serves the partner API, carrier reports and /health/live only; metrics,
 * readiness with its details and Bull Board answer on the ops port (OPS_PORT), and Bull Board
 * refuses every action when ADMIN_READ_ONLY is set.
 */
describe('gateway: partners\' port and ops port (real PostgreSQL and Redis)', () => {
  const prefix = suitePrefix('ops-port');
  // Neither gateway sweeps the outbox or reconciles: other suites' rows are not ours to enqueue.
  const env = { QUEUE_PREFIX: prefix, OUTBOX_SWEEP_INTERVAL_MS: '600000', RECONCILE_INTERVAL_MS: '3600000', ADMIN_USERNAME: 'ops', ADMIN_PASSWORD: 'ops-test-password' };
  const operator = { authorization: `Basic ${Buffer.from('ops:ops-test-password').toString('base64')}` };
  let gateway: GatewayHarness;
  let readOnly: GatewayHarness;
  let queue: Queue;

  const origin = (harness: GatewayHarness) => new URL(harness.url).origin;

  beforeAll(async () => {
    gateway = await startGateway(env);
    readOnly = await startGateway({ ...env, ADMIN_READ_ONLY: 'true' });
    queue = new Queue(QueueName.Barcode, { prefix, connection: redisOptionsFrom(process.env.REDIS_URL as string, 'producer') });
  });

  afterAll(async () => {
    await gateway?.close();
    await readOnly?.close();
    await queue?.obliterate({ force: true });
    await queue?.close();
  });

  it('answers 404 on the partners\' port for metrics, readiness and Bull Board; /health/live stays', async () => {
    const partners = origin(gateway);
    expect(new URL(gateway.opsUrl).port).not.toBe(new URL(partners).port);
    for (const path of ['/metrics', '/health/ready', '/admin/queues', '/admin/queues/api/queues']) {
      const response = await fetch(`${partners}${path}`, { headers: operator });
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
    }
    expect(await (await fetch(`${partners}/health/live`)).json()).toEqual({ status: 'ok' });
    // The partner API and the carriers' endpoint are still there.
    expect(responseField((await gateway.post(DOCS_EXAMPLE_REQUEST.replace('qTFkykO9JTfahCOqJ0V2Wf5Cg1t8iWlZ', 'not-a-key'), 'text/xml')).xml, 'ERRORCODE')).toBe('E104');
    expect((await fetch(`${partners}/mm7/delivery-reports`, { method: 'POST', body: '<x/>' })).status).not.toBe(404);
  });

  it('serves /health/live, /health/ready with its details and /metrics on the ops port', async () => {
    expect(await (await fetch(`${gateway.opsUrl}/health/live`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${gateway.opsUrl}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', postgres: 'up', redis: 'up' });

    await gateway.post(DOCS_EXAMPLE_REQUEST.replace('qTFkykO9JTfahCOqJ0V2Wf5Cg1t8iWlZ', 'not-a-key'), 'text/xml');
    const metrics = await fetch(`${gateway.opsUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await metrics.text();
    expect(text).toMatch(/^mmsgw_partner_requests_total\{outcome="E104"\} [1-9]/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect((await fetch(`${gateway.opsUrl}/API/wxml/1.3/index.php`)).status).toBe(404);
  });

  it('serves Bull Board on the ops port behind basic auth', async () => {
    expect((await fetch(`${gateway.opsUrl}/admin/queues`)).status).toBe(401);
    expect((await fetch(`${gateway.opsUrl}/admin/queues`, { headers: { authorization: `Basic ${Buffer.from('ops:wrong-password').toString('base64')}` } })).status).toBe(401);
    const board = await fetch(`${gateway.opsUrl}/admin/queues`, { headers: operator });
    expect(board.status).toBe(200);
    expect(await board.text()).toContain('<html');
    const queues = (await (await fetch(`${readOnly.opsUrl}/admin/queues/api/queues`, { headers: operator })).json()) as { queues: Array<{ name: string; readOnlyMode: boolean }> };
    expect(queues.queues.map((q) => q.name).sort()).toEqual(Object.values(QueueName).sort());
    expect(queues.queues.every((q) => q.readOnlyMode)).toBe(true);
  });

  it('refuses every action on a read-only board, and carries them out on the other', async () => {
    const worker = new Worker(
      QueueName.Barcode,
      async () => {
        throw new Error('failed on purpose');
      },
      { prefix, connection: redisOptionsFrom(process.env.REDIS_URL as string, 'worker') },
    );
    try {
      await queue.add(JobName.RenderBarcode, { trackingId: 'T3BzUG9ydA==' }, { jobId: 'ops-port-failed', attempts: 1 });
      await eventually(async () => ((await queue.getJobState('ops-port-failed')) === 'failed' ? true : undefined), 10_000, 'the job failed');
    } finally {
      await worker.close();
    }
    const act = (harness: GatewayHarness, action: string, method = 'PUT') =>
      fetch(`${harness.opsUrl}/admin/queues/api/queues/${QueueName.Barcode}/${action}`, { method, headers: { ...operator, 'content-type': 'application/json' }, body: '{}' });

    for (const action of ['retry/failed', 'clean/failed', 'pause', 'empty', 'add']) {
      const response = await act(readOnly, action, action === 'add' ? 'POST' : 'PUT');
      expect({ action, status: response.status }).toEqual({ action, status: 405 });
    }
    expect(await queue.getJobState('ops-port-failed')).toBe('failed');
    expect(await queue.isPaused()).toBe(false);

    const retried = await act(gateway, 'retry/failed');
    expect(retried.status).toBe(200);
    expect(await queue.getJobState('ops-port-failed')).toBe('waiting');
  });
});
