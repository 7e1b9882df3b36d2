import { Queue } from 'bullmq';
import { JobName, QueueName } from '@mms/contracts';
import { createPrismaClient, type PrismaClient } from '@mms/db';
import { redisOptionsFrom } from '@mms/queue';
import { DOCS_EXAMPLE_REQUEST, responseField } from '../../../test/docs-examples';
import { eventually, suitePrefix } from '../../../test/fixtures';
import { freePort } from '../../../test/free-port';
import { OutboxRelay } from '../src/outbox/outbox.relay';
import { GatewayHarness, startGateway } from './gateway-harness';

/**
 * Nothing accepted is lost: with Redis unreachable the gateway still answers Success, because the
 * message and its outbox row are one transaction; a gateway that can reach Redis sweeps the row
 * into the queue later, under the tracking id.
 */
describe('gateway: the transactional outbox (real PostgreSQL and Redis)', () => {
  const prefix = suitePrefix('gateway-outbox');
  let cutOff: GatewayHarness;
  let healthy: GatewayHarness;
  let prisma: PrismaClient;
  let barcodeQueue: Queue;

  beforeAll(async () => {
    const deadRedis = `redis://127.0.0.1:${await freePort()}`;
    // Sweeping is left to the healthy gateway, called explicitly below.
    cutOff = await startGateway({ QUEUE_PREFIX: prefix, REDIS_URL: deadRedis, OUTBOX_SWEEP_INTERVAL_MS: '600000' });
    healthy = await startGateway({ QUEUE_PREFIX: prefix, OUTBOX_SWEEP_INTERVAL_MS: '600000', OUTBOX_SWEEP_MIN_AGE_MS: '0' });
    prisma = createPrismaClient(process.env.DATABASE_URL as string, 2);
    barcodeQueue = new Queue(QueueName.Barcode, { prefix, connection: redisOptionsFrom(process.env.REDIS_URL as string, 'producer') });
  });

  afterAll(async () => {
    await cutOff?.close();
    await healthy?.close();
    await barcodeQueue?.close();
    await prisma?.$disconnect();
  });

  it('accepts while Redis is down, keeps the outbox row, and the sweep enqueues it exactly once', async () => {
    const started = Date.now();
    const { xml } = await cutOff.post(DOCS_EXAMPLE_REQUEST, 'text/xml');
    expect(Date.now() - started).toBeLessThan(5000); // fails fast, never hangs on a dead Redis
    expect(responseField(xml, 'STATUS')).toBe('Success');
    const trackingId = responseField(xml, 'TRACKINGID') as string;

    const row = await prisma.outboxEntry.findFirst({ where: { jobId: trackingId } });
    expect(row).toMatchObject({ queue: QueueName.Barcode, jobName: JobName.RenderBarcode, payload: { trackingId } });
    expect(await barcodeQueue.getJob(trackingId)).toBeUndefined();

    const relay = healthy.app.get(OutboxRelay);
    await eventually(async () => ((await relay.sweepOnce()) >= 0 && (await prisma.outboxEntry.count({ where: { jobId: trackingId } })) === 0 ? true : undefined), 10_000, 'the sweep');
    const job = await barcodeQueue.getJob(trackingId);
    expect(job?.data).toEqual({ trackingId });

    // A second dispatch of the same message (a replica's sweep racing, a retry) is the same job.
    await prisma.outboxEntry.create({ data: { queue: QueueName.Barcode, jobName: JobName.RenderBarcode, jobId: trackingId, payload: { trackingId } } });
    await relay.sweepOnce();
    expect(await barcodeQueue.getJobCountByTypes('waiting', 'active', 'delayed', 'completed', 'failed')).toBe(1);
  });

  it('readiness reports the unreachable Redis', async () => {
    const base = cutOff.url.replace('/API/wxml/1.3/index.php', '');
    const response = await fetch(`${base}/health/ready`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ status: 'not ready', postgres: 'up' });
  });
});
