import { Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Pool } from 'pg';
import { JobName, QueueName, parseJobPayload, postbackJobId } from '@mms/contracts';
import { type OutboxRow, createPgPool } from '@mms/db';
import { jobOptionsFor, redisOptionsFrom } from '@mms/queue';
import { suitePrefix } from '../../../test/fixtures';
import { finishedJob, sleep, until } from './mm7-test-kit';
import { PartnerReceiver, partnerAccount, renderedMessages, step } from './postback-test-kit';
import { WorkerCrashKit } from './worker-crash-kit';

/**
 * The postback worker as its own process, killed with SIGKILL around the partner's answer
 * (worker-crash-kit.ts). A notice the partner acknowledged is never posted again, whatever
 * happens to its job; one whose worker died while the request was in flight is posted once more,
 * after its hold ran out, with the same Idempotency-Key: the repeat docs/postbacks.md names.
 */
describe('postbacks: the worker killed around the request (child processes, real HTTP, PostgreSQL and Redis)', () => {
  const prefix = suitePrefix('pb-crash');
  const receiver = new PartnerReceiver();
  let queue: Queue;
  let redis: Redis;
  let pool: Pool;
  let crash: WorkerCrashKit;

  beforeAll(async () => {
    await receiver.start();
    queue = new Queue(QueueName.Postback, { prefix, connection: redisOptionsFrom(process.env.REDIS_URL as string, 'producer') });
    redis = new Redis(process.env.REDIS_URL as string);
    pool = createPgPool(process.env.DATABASE_URL as string, 3);
    crash = new WorkerCrashKit(queue, redis, {
      ...process.env,
      QUEUE_PREFIX: prefix,
      POSTBACK_ALLOW_PRIVATE_NETWORKS: 'true',
      POSTBACK_TIMEOUT_MS: '3000',
      POSTBACK_RETRY_DELAY_MS: '200',
      POSTBACK_CONCURRENCY: '1',
    });
  });

  afterAll(async () => {
    await crash?.stopAll();
    await queue?.close();
    redis?.disconnect();
    await pool?.end();
    await receiver.close();
  });

  /** The announced postback jobs, as the process that recorded the step hands them over. */
  async function enqueue(rows: readonly OutboxRow[]): Promise<string[]> {
    const ids = rows.map((row) => parseJobPayload(JobName.SendPostback, row.payload).postbackId);
    for (const postbackId of ids) {
      await queue.add(JobName.SendPostback, { postbackId }, jobOptionsFor(JobName.SendPostback, postbackJobId(postbackId)));
    }
    await pool.query('DELETE FROM outbox WHERE id = ANY($1::int[])', [rows.map((row) => row.id)]);
    return ids.map(postbackJobId);
  }

  async function submittedNotice(path: string): Promise<{ jobId: string; postbackId: number }> {
    const { id } = await partnerAccount(pool, { postbackUrl: `${receiver.base}${path}` });
    const [message] = await renderedMessages(pool, id, 1);
    if (message === undefined) throw new Error('not accepted');
    const [jobId] = await enqueue(await step.submitted(pool, [message]));
    const { rows } = await pool.query<{ id: number }>(`SELECT id FROM postbacks WHERE message_id = $1`, [message.id]);
    return { jobId: jobId as string, postbackId: (rows[0] as { id: number }).id };
  }

  const postback = async (id: number) =>
    (await pool.query<{ state: string; attempts: number }>('SELECT state::text, attempts FROM postbacks WHERE id = $1', [id])).rows[0];
  const outcomes = async (id: number) =>
    (await pool.query<{ outcome: string | null }>('SELECT outcome::text FROM postback_attempts WHERE postback_id = $1 ORDER BY number', [id])).rows.map(
      (row) => row.outcome,
    );

  it('posts nothing again when the worker dies after the 200 was recorded and a new worker reruns the job', async () => {
    const path = '/acknowledged-then-killed';
    // The partner answers after 800 ms: time to take the job's lock away from the worker, so that
    // after recording the 200 it cannot complete the job: the state a SIGKILL right after the
    // commit leaves (the job active, its notice DELIVERED), made certain.
    receiver.answerNext(path, { status: 200, delayMs: 800 });
    const first = await crash.startWorker();
    const { jobId, postbackId } = await submittedNotice(path);

    await until(async () => (receiver.on(path).length > 0 ? true : undefined), 10_000, 'the postback');
    await crash.takeLock(jobId);
    await until(async () => ((await postback(postbackId))?.state === 'DELIVERED' ? true : undefined), 10_000, 'DELIVERED');
    await sleep(200); // the worker's attempts to complete the job fail on the lock
    await crash.kill(first);
    expect(await queue.getJobState(jobId)).toBe('active');

    await crash.letItStall(jobId);
    const second = await crash.startWorker();
    const { job, state } = await finishedJob(queue, jobId);
    expect(state).toBe('completed');
    expect(job.stalledCounter).toBe(1);
    expect(job.returnvalue).toEqual({ done: true });

    await sleep(500);
    expect(receiver.on(path)).toHaveLength(1);
    expect(await postback(postbackId)).toEqual({ state: 'DELIVERED', attempts: 1 });
    expect(await outcomes(postbackId)).toEqual(['ACKNOWLEDGED']);
    await second.stop(5000);
  }, 60_000);

  it('posts once more, with the same Idempotency-Key, when the worker dies while the partner holds the request', async () => {
    const path = '/killed-in-flight';
    receiver.answerNext(path, 'hang');
    const first = await crash.startWorker();
    const { jobId, postbackId } = await submittedNotice(path);

    await until(async () => (receiver.on(path).length > 0 ? true : undefined), 10_000, 'the postback');
    await crash.kill(first);
    expect(await queue.getJobState(jobId)).toBe('active');
    expect(await postback(postbackId)).toEqual({ state: 'PENDING', attempts: 1 });

    await crash.letItStall(jobId);
    const second = await crash.startWorker();
    // The rerun waits out the dead worker's hold (timeout + 5 s) before it posts again.
    const { state } = await finishedJob(queue, jobId, 20_000);
    expect(state).toBe('completed');

    const requests = receiver.on(path);
    expect(requests).toHaveLength(2);
    expect(requests[1]?.headers['idempotency-key']).toBe(requests[0]?.headers['idempotency-key']);
    expect(requests[1]?.body.equals(requests[0]?.body as Buffer)).toBe(true);
    expect(await postback(postbackId)).toEqual({ state: 'DELIVERED', attempts: 2 });
    // The first attempt has no outcome: its worker died during it.
    expect(await outcomes(postbackId)).toEqual([null, 'ACKNOWLEDGED']);
    expect((await Job.fromId(queue, jobId))?.stalledCounter).toBe(1);
    await second.stop(5000);
  }, 60_000);
});
