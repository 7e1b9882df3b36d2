import { request } from 'node:http';
import { Redis } from 'ioredis';
import { fleetCounterKey, redisOptionsFrom } from '@mms/queue';
import { Fleet, startFleet, waitForHttp } from '../scripts/lib/fleet';
import { DOCS_EXAMPLE_REQUEST } from './docs-examples';
import { eventually, suitePrefix } from './fixtures';
import { freePort } from './free-port';

/**
 * The gateway run as several processes (GATEWAY_PROCESSES=2, node:cluster): the processes share
 * the partners' port, and the primary holds the one ops port for all of them: /metrics with the
 * processes' partner series added up and the fleet-wide series taken once, /health/ready with each
 * process's readiness, Bull Board; it lets the port go when the gateway stops.
 */
describe('gateway with GATEWAY_PROCESSES=2: one ops port for the processes', () => {
  const prefix = suitePrefix('gw-cluster');
  const output: string[] = [];
  const authorization = `Basic ${Buffer.from('admin:cluster-admin-password').toString('base64')}`;
  let fleet: Fleet;
  let gatewayPort: number;
  let ops: string;
  let redis: Redis;

  beforeAll(async () => {
    const opsPort = await freePort();
    gatewayPort = await freePort();
    ops = `http://127.0.0.1:${opsPort}`;
    fleet = startFleet({
      services: ['gateway'],
      env: {
        ...process.env,
        QUEUE_PREFIX: prefix,
        GATEWAY_PROCESSES: '2',
        GATEWAY_PORT: String(gatewayPort),
        OPS_PORT: String(opsPort),
        ADMIN_PASSWORD: 'cluster-admin-password',
        LOG_FORMAT: 'json',
        // This suite's own sweeps only: the outbox of other suites is theirs.
        OUTBOX_SWEEP_INTERVAL_MS: '600000',
        RECONCILE_INTERVAL_MS: '3600000',
      },
      onLine: (_service, line) => output.push(line),
    });
    redis = new Redis(redisOptionsFrom(process.env.REDIS_URL as string, 'worker'));
    try {
      await waitForHttp(`${ops}/health/ready`, 45_000);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${output.slice(-20).join('\n')}`);
    }
  }, 60_000);

  afterAll(async () => {
    await fleet?.stop();
    await redis?.del(fleetCounterKey(prefix, 'postback-attempts'));
    await redis?.quit();
  });

  /** A request with a wrong API key (E104) on a connection of its own, so that node:cluster spreads them over the processes. */
  const refusedRequest = () =>
    new Promise<number>((resolve, reject) => {
      const body = DOCS_EXAMPLE_REQUEST.replace('qTFkykO9JTfahCOqJ0V2Wf5Cg1t8iWlZ', 'not-a-key');
      const req = request({ host: '127.0.0.1', port: gatewayPort, method: 'POST', path: '/API/wxml/1.3/index.php', agent: false, headers: { 'content-type': 'text/xml', connection: 'close' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(body);
    });

  it('is ready with both processes, and says so per process', async () => {
    const body = await eventually(async () => {
      const response = await fetch(`${ops}/health/ready`);
      const answer = (await response.json()) as Record<string, string>;
      return response.status === 200 && answer.processes === '2/2 ready' ? answer : undefined;
    }, 20_000, `both processes ready\n${output.slice(-10).join('\n')}`);
    expect(Object.entries(body).filter(([check]) => /^(postgres|redis)\[\d+\]$/.test(check)).map(([, state]) => state)).toEqual(['up', 'up', 'up', 'up']);
  });

  it('adds up the processes\' partner series in one /metrics, and takes the fleet-wide series once', async () => {
    await redis.hincrby(fleetCounterKey(prefix, 'postback-attempts'), 'ACKNOWLEDGED', 3);
    const statuses = [];
    for (let i = 0; i < 10; i += 1) statuses.push(await refusedRequest());
    expect(statuses).toEqual(Array(10).fill(200));
    const text = await (await fetch(`${ops}/metrics`)).text();
    // Each process counted its own share (node:cluster hands connections round-robin): the sum is all ten.
    expect(text).toMatch(/^mmsgw_partner_requests_total\{outcome="E104"\} 10$/m);
    // Every process reads the same 3 from Redis: the primary shows it once, not twice.
    expect(text).toMatch(/^mmsgw_postback_attempts_total\{outcome="ACKNOWLEDGED"\} 3$/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
  });

  it('serves Bull Board from the primary, and nothing of the ops port on the partners\' port', async () => {
    expect((await fetch(`${ops}/admin/queues`)).status).toBe(401);
    const queues = (await (await fetch(`${ops}/admin/queues/api/queues`, { headers: { authorization } })).json()) as { queues: Array<{ name: string }> };
    expect(queues.queues.map((q) => q.name)).toContain('barcode');
    for (const path of ['/metrics', '/health/ready', '/admin/queues']) {
      expect({ path, status: (await fetch(`http://127.0.0.1:${gatewayPort}${path}`, { headers: { authorization } })).status }).toEqual({ path, status: 404 });
    }
  });

  it('stops cleanly on SIGTERM and lets the ops port go', async () => {
    await fleet.stop();
    expect(await fleet.services[0]?.exited).toBe(0);
    await expect(fetch(`${ops}/health/live`)).rejects.toThrow();
  });
});
