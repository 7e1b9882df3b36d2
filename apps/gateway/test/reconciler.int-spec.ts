import { randomUUID } from 'node:crypto';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Pool } from 'pg';
import { JobName, QueueName } from '@mms/contracts';
import { acceptMessages, createPgPool, createPrismaClient, recordTransitions, type PrismaClient } from '@mms/db';
import { redisOptionsFrom } from '@mms/queue';
import { type PartnerWorld, createPartnerWorld, eventually, newMessageFixture, suitePrefix } from '../../../test/fixtures';
import { freePort } from '../../../test/free-port';
import { RECONCILER_LOCK, type ReconcilePass, StuckMessageReconciler } from '../src/outbox/stuck-message.reconciler';
import { GatewayHarness, startGateway } from './gateway-harness';

/**
 * The stuck-message reconciler against real PostgreSQL and Redis: it pages through every stuck
 * message in one pass, re-enqueues those whose job Redis lost, marks FAILED those whose job failed
 * for good while the worker could not record it, leaves live jobs alone, runs on one replica at a
 * time and shrugs off a Redis it cannot reach. The run's database is shared with the other suites:
 * the pass also sees their stuck messages (enqueued under this suite's prefix, where nothing works
 * them), so only this suite's own messages are asserted on.
 */
const IMAGE_KEY = 'a'.repeat(64);
/** Older than this suite's RECONCILE_AFTER_MS, younger than the default other suites' gateways use. */
const STUCK_FOR = '60 seconds';

interface MessageRow {
  readonly status: string;
  readonly failure_reason: string | null;
  readonly updated_at: string;
}

describe('gateway: the stuck-message reconciler (real PostgreSQL and Redis)', () => {
  const prefix = suitePrefix('reconciler');
  const quiet = { QUEUE_PREFIX: prefix, OUTBOX_SWEEP_INTERVAL_MS: '600000', RECONCILE_INTERVAL_MS: '3600000', RECONCILE_AFTER_MS: '30000' };
  const connection = redisOptionsFrom(process.env.REDIS_URL as string, 'producer');
  let gateway: GatewayHarness;
  let cutOff: GatewayHarness;
  let pool: Pool;
  let prisma: PrismaClient;
  let world: PartnerWorld;
  let barcode: Queue;
  let delivery: Queue;
  let postbacks: Queue;
  /** Take jobs by hand, so a test decides which one is active and how it fails. */
  let barcodeHand: Worker;
  let deliveryHand: Worker;

  beforeAll(async () => {
    gateway = await startGateway(quiet);
    cutOff = await startGateway({ ...quiet, REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    pool = createPgPool(process.env.DATABASE_URL as string, 2);
    prisma = createPrismaClient(process.env.DATABASE_URL as string, 2);
    world = await createPartnerWorld(prisma, { url: 'http://127.0.0.1:9/postbacks' });
    await prisma.account.update({ where: { id: world.accountId }, data: { credits: 100_000 } });
    [barcode, delivery, postbacks] = [QueueName.Barcode, QueueName.Delivery, QueueName.Postback].map((name) => new Queue(name, { prefix, connection }));
    [barcodeHand, deliveryHand] = [QueueName.Barcode, QueueName.Delivery].map(
      (name) => new Worker(name, undefined, { prefix, connection: redisOptionsFrom(process.env.REDIS_URL as string, 'worker'), autorun: false }),
    );
  });

  afterAll(async () => {
    // Still-stuck messages of this suite would keep other suites' reconcilers busy.
    await pool?.query(`DELETE FROM messages WHERE account_id = $1 AND status IN ('ACCEPTED', 'RENDERED')`, [world?.accountId]);
    await Promise.all([barcodeHand, deliveryHand].map((worker) => worker?.close()));
    await Promise.all([barcode, delivery, postbacks].map((queue) => queue?.close()));
    await cutOff?.close();
    await gateway?.close();
    await pool?.end();
    await prisma?.$disconnect();
  });

  /** Messages accepted by the ledger whose hand-off to Redis was lost, stuck for a minute (RENDERED: with an image). */
  async function stuckMessages(count: number, status: 'ACCEPTED' | 'RENDERED' = 'ACCEPTED'): Promise<Array<{ id: number; trackingId: string }>> {
    const fixtures = Array.from({ length: count }, () => newMessageFixture(world.accountId, { templateId: world.templateId, databaseId: world.databaseId }));
    const outcomes = await acceptMessages(pool, fixtures, { queue: QueueName.Barcode, jobName: JobName.RenderBarcode });
    const accepted = outcomes.flatMap((outcome) => (outcome.accepted ? [outcome] : []));
    expect(accepted).toHaveLength(count);
    await pool.query('DELETE FROM outbox WHERE id = ANY($1::int[])', [accepted.map((m) => m.outboxId)]);
    if (status === 'RENDERED') {
      await recordTransitions(pool, accepted.map((m) => ({ messageId: m.messageId, from: ['ACCEPTED'], to: 'RENDERED', set: { imageKey: IMAGE_KEY } })));
    }
    await pool.query(`UPDATE messages SET updated_at = updated_at - interval '${STUCK_FOR}' WHERE id = ANY($1::int[])`, [accepted.map((m) => m.messageId)]);
    return accepted.map((m) => ({ id: m.messageId, trackingId: m.trackingId }));
  }

  /** One pass that ran: other suites' gateways take the lock for their own passes now and then. */
  function pass(reconciler = gateway.app.get(StuckMessageReconciler)): Promise<ReconcilePass> {
    return eventually(async () => {
      const result = await reconciler.reconcileOnce();
      return result.ran ? result : undefined;
    }, 30_000, 'a reconcile pass holding the lock');
  }

  /** A message's job taken by hand: active until the test fails it. */
  async function take(hand: Worker, queue: Queue, trackingId: string, data: object, attempts: number): Promise<{ job: Job; token: string }> {
    await queue.add(queue === barcode ? JobName.RenderBarcode : JobName.SubmitMms, data, { jobId: trackingId, attempts });
    const token = randomUUID();
    const job = (await hand.getNextJob(token)) as Job;
    expect(job.id).toBe(trackingId); // this suite's queues are empty until its first pass
    return { job, token };
  }

  async function statusOf(trackingId: string): Promise<MessageRow | undefined> {
    const { rows } = await pool.query<MessageRow>('SELECT status, failure_reason, updated_at::text FROM messages WHERE tracking_id = $1', [trackingId]);
    return rows[0];
  }

  it('marks FAILED (E101, credit back) a message whose job failed for good, and leaves live jobs alone', async () => {
    const [unencodable, active, waiting] = await stuckMessages(3);
    const [refused, delayed] = await stuckMessages(2, 'RENDERED');
    const failing = await take(barcodeHand, barcode, unencodable.trackingId, { trackingId: unencodable.trackingId }, 5);
    await failing.job.moveToFailed(new UnrecoverableError('the value does not fit a QR Code'), failing.token);
    const refusing = await take(deliveryHand, delivery, refused.trackingId, { trackingId: refused.trackingId, imageKey: IMAGE_KEY }, 1);
    await refusing.job.moveToFailed(new Error('MMSC answered 4004'), refusing.token);
    await take(barcodeHand, barcode, active.trackingId, { trackingId: active.trackingId }, 5);
    await barcode.add(JobName.RenderBarcode, { trackingId: waiting.trackingId }, { jobId: waiting.trackingId });
    await delivery.add(JobName.SubmitMms, { trackingId: delayed.trackingId, imageKey: IMAGE_KEY }, { jobId: delayed.trackingId, delay: 3_600_000 });
    const liveBefore = await Promise.all([active, waiting, delayed].map((m) => statusOf(m.trackingId)));
    const { credits } = await prisma.account.findUniqueOrThrow({ where: { id: world.accountId } });

    const result = await pass();

    expect(result.markedFailed).toBe(2);
    expect(await statusOf(unencodable.trackingId)).toMatchObject({ status: 'FAILED', failure_reason: 'barcode: the value does not fit a QR Code' });
    expect(await statusOf(refused.trackingId)).toMatchObject({ status: 'FAILED', failure_reason: 'delivery: MMSC answered 4004' });
    const notices = await prisma.postback.findMany({ where: { messageId: { in: [unencodable.id, refused.id] } }, orderBy: { messageId: 'asc' } });
    // The partner reads an UnrecoverableError's own message; retries that ran out say only that.
    expect(notices.map((n) => [n.messageId, n.code, (n.detail as { statusDetails?: string }).statusDetails])).toEqual([
      [unencodable.id, 'E101', 'the value does not fit a QR Code'],
      [refused.id, 'E101', 'the carrier did not take the message after 1 attempts'],
    ]);
    // Their postback jobs went to Redis at once (OutboxDispatcher), the outbox rows with them.
    for (const notice of notices) expect(await postbacks.getJob(`postback-${notice.id}`)).toBeDefined();
    expect(await prisma.outboxEntry.count({ where: { jobId: { in: notices.map((n) => `postback-${n.id}`) } } })).toBe(0);
    expect(await prisma.creditReturn.count({ where: { messageId: { in: [unencodable.id, refused.id] } } })).toBe(2);
    expect((await prisma.account.findUniqueOrThrow({ where: { id: world.accountId } })).credits).toBe(credits + 2);
    // The failed jobs stay for Bull Board.
    expect(await barcode.getJobState(unencodable.trackingId)).toBe('failed');
    expect(await delivery.getJobState(refused.trackingId)).toBe('failed');

    expect(await Promise.all([active, waiting, delayed].map((m) => statusOf(m.trackingId)))).toEqual(liveBefore);
    expect(await barcode.getJobState(active.trackingId)).toBe('active');
    expect(await barcode.getJobState(waiting.trackingId)).toBe('waiting');
    expect(await delivery.getJobState(delayed.trackingId)).toBe('delayed');
  });

  it('re-enqueues every stuck message in one pass, far more than one page', async () => {
    const accepted = await stuckMessages(2_000);
    const rendered = await stuckMessages(500, 'RENDERED');

    const result = await pass();

    expect(result.examined).toBeGreaterThanOrEqual(2_500);
    expect(result.requeued).toBeGreaterThanOrEqual(2_500);
    const renders = await Promise.all(accepted.map((m) => barcode.getJob(m.trackingId)));
    expect(renders.map((job) => job?.data)).toEqual(accepted.map((m) => ({ trackingId: m.trackingId })));
    const submits = await Promise.all(rendered.map((m) => delivery.getJob(m.trackingId)));
    expect(submits.map((job) => job?.data)).toEqual(rendered.map((m) => ({ trackingId: m.trackingId, imageKey: IMAGE_KEY })));

    // The next pass finds them waiting: nothing of this suite's is enqueued again.
    const timestamps = renders.map((job) => job?.timestamp);
    await pass();
    expect((await Promise.all(accepted.map((m) => barcode.getJob(m.trackingId)))).map((job) => job?.timestamp)).toEqual(timestamps);
  });

  it('does nothing while another replica holds the lock', async () => {
    const [lost] = await stuckMessages(1);
    const replica = await pool.connect();
    try {
      await eventually(async () => {
        const { rows } = await replica.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [RECONCILER_LOCK]);
        return rows[0]?.locked === true ? true : undefined;
      }, 30_000, 'the reconciler lock');
      expect(await gateway.app.get(StuckMessageReconciler).reconcileOnce()).toEqual({ ran: false, examined: 0, requeued: 0, markedFailed: 0, errors: 0 });
      expect(await barcode.getJob(lost.trackingId)).toBeUndefined();
    } finally {
      await replica.query('SELECT pg_advisory_unlock($1)', [RECONCILER_LOCK]);
      replica.release();
    }

    await pass();
    expect(await barcode.getJobState(lost.trackingId)).toBe('waiting');
  });

  it('counts the messages it could not look up while Redis is away, and the next pass handles them', async () => {
    const [lost] = await stuckMessages(1);

    const blind = await pass(cutOff.app.get(StuckMessageReconciler));

    expect(blind).toMatchObject({ ran: true, requeued: 0, markedFailed: 0 });
    expect(blind.errors).toBeGreaterThanOrEqual(1);
    expect(await barcode.getJob(lost.trackingId)).toBeUndefined();

    await pass();
    expect(await barcode.getJobState(lost.trackingId)).toBe('waiting');
  });
});
