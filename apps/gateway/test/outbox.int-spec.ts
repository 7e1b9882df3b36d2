import { Queue, Worker } from 'bullmq';
import { JobName, QueueName } from '@mms/contracts';
import { createPrismaClient, type PrismaClient } from '@mms/db';
import { redisOptionsFrom } from '@mms/queue';
import { DOCS_EXAMPLE_REQUEST, responseField } from '../../../test/docs-examples';
import { createDemoMessage, eventually, suitePrefix } from '../../../test/fixtures';
import { freePort } from '../../../test/free-port';
import { OutboxRelay } from '../src/outbox/outbox.relay';
import { StuckMessageReconciler } from '../src/outbox/stuck-message.reconciler';
import { GatewayHarness, startGateway } from './gateway-harness';

/**
 * Nothing accepted is lost: with Redis unreachable the gateway still answers Success, because the
 * message and its outbox row are one transaction; a gateway that can reach Redis sweeps the row
 * into the queue later, under the tracking id.
 */
const LONG_AGO = new Date('2001-01-01T00:00:00Z');

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
    healthy = await startGateway({
      QUEUE_PREFIX: prefix,
      OUTBOX_SWEEP_INTERVAL_MS: '600000',
      OUTBOX_SWEEP_MIN_AGE_MS: '0',
      RECONCILE_INTERVAL_MS: '3600000',
      RECONCILE_AFTER_MS: '1000',
    });
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
    expect(await prisma.outboxEntry.count({ where: { jobId: trackingId } })).toBe(0);
    // Counted by this message only: the sweep also hands over rows other suites left in the shared database.
    const jobs = await barcodeQueue.getJobs(['waiting', 'active', 'delayed', 'completed', 'failed']);
    expect(jobs.filter((j) => (j.data as { trackingId?: string }).trackingId === trackingId).map((j) => [j.id, j.timestamp])).toEqual([[trackingId, job?.timestamp]]);
  });

  it('sets aside a row that can never be a job, with the reason, and still sends the rows behind it', async () => {
    const relay = healthy.app.get(OutboxRelay);
    const good = await createDemoMessage(prisma);
    const poison = await prisma.outboxEntry.create({ data: { queue: QueueName.Barcode, jobName: 'barcode.unknown', jobId: 'poison-1', payload: {} } });
    const malformed = await prisma.outboxEntry.create({
      data: { queue: QueueName.Barcode, jobName: JobName.RenderBarcode, jobId: 'poison-2', payload: { trackingId: 'not a tracking id!' } },
    });
    await prisma.outboxEntry.create({
      data: { queue: QueueName.Barcode, jobName: JobName.RenderBarcode, jobId: good.trackingId, payload: { trackingId: good.trackingId } },
    });

    await relay.sweepOnce();

    expect((await barcodeQueue.getJob(good.trackingId))?.data).toEqual({ trackingId: good.trackingId });
    expect(await prisma.outboxEntry.count({ where: { jobId: good.trackingId } })).toBe(0);
    const setAside = await prisma.outboxEntry.findMany({ where: { id: { in: [poison.id, malformed.id] } }, orderBy: { id: 'asc' } });
    expect(setAside.map((row) => row.lastError)).toEqual(['unknown job name barcode.unknown', expect.stringContaining('not a tracking id')]);
    // Never claimed again.
    await relay.sweepOnce();
    expect(await prisma.outboxEntry.count({ where: { id: { in: [poison.id, malformed.id] }, attempts: 1 } })).toBe(2);
  });

  it('stays ready without Redis (the outbox carries accepts), reporting the unreachable Redis', async () => {
    const response = await fetch(`${cutOff.opsUrl}/health/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ready', postgres: 'up', redis: expect.stringMatching(/^down/) });
  });

  it('re-enqueues a message stuck in ACCEPTED whose job Redis lost, and replaces a stale completed job', async () => {
    const reconciler = healthy.app.get(StuckMessageReconciler);
    const lost = await createDemoMessage(prisma);
    const stale = await createDemoMessage(prisma);
    // A completed job from "another life" of the same id (say, before a database reset).
    await barcodeQueue.add(JobName.RenderBarcode, { trackingId: stale.trackingId }, { jobId: stale.trackingId });
    const oldWorker = new Worker(QueueName.Barcode, async () => 'done before the reset', {
      prefix,
      connection: redisOptionsFrom(process.env.REDIS_URL as string, 'worker'),
    });
    await eventually(async () => ((await (await barcodeQueue.getJob(stale.trackingId))?.getState()) === 'completed' ? true : undefined));
    await oldWorker.close();
    // Long ago: well past RECONCILE_AFTER_MS.
    await prisma.message.updateMany({
      where: { id: { in: [lost.id, stale.id] } },
      data: { updatedAt: LONG_AGO },
    });
    // An ACCEPTED message with a live (waiting) job is left alone.
    const waiting = await createDemoMessage(prisma);
    await barcodeQueue.add(JobName.RenderBarcode, { trackingId: waiting.trackingId }, { jobId: waiting.trackingId });
    await prisma.message.update({ where: { id: waiting.id }, data: { updatedAt: LONG_AGO } });

    // Other suites' gateways take the reconciler's lock for their own passes now and then.
    await eventually(async () => ((await reconciler.reconcileOnce()).ran ? true : undefined), 30_000, 'a reconcile pass holding the lock');

    expect(await (await barcodeQueue.getJob(lost.trackingId))?.getState()).toBe('waiting');
    const replaced = await barcodeQueue.getJob(stale.trackingId);
    expect(await replaced?.getState()).toBe('waiting');
    expect(replaced?.returnvalue).toBeNull();
    expect(await (await barcodeQueue.getJob(waiting.trackingId))?.getState()).toBe('waiting');
  });
});
