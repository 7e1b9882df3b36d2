import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { MessageStatus } from '@mms/contracts';
import type { PrismaService } from '@mms/db';
import { suitePrefix } from '../../../test/fixtures';
import type { Fleet } from '../../../scripts/lib/fleet';
import {
  type Simulator,
  deliveryQueue,
  enqueueSubmit,
  finishedJob,
  messageIn,
  renderedMessage,
  sleep,
  startSimulator,
  testPrisma,
  until,
} from './mm7-test-kit';
import { WorkerCrashKit } from './worker-crash-kit';

/**
 * The delivery worker as its own process (scripts/lib/fleet.ts, as `npm start` runs it), killed
 * with SIGKILL around the MM7 submit; the MMSC simulator in-process. What a crash may cost is one
 * SubmitReq sent twice, and only when the worker died while the MMSC had the request and we had
 * not yet recorded its answer: the documented window. After SUBMITTED, nothing is sent again.
 *
 * How a killed worker's job is made to stall without the minute's wait: worker-crash-kit.ts.
 */
describe('delivery over MM7: the worker killed around the submit (child processes, real PostgreSQL and Redis)', () => {
  const prefix = suitePrefix('mm7-crash');
  let simulator: Simulator;
  let queue: Queue;
  let redis: Redis;
  let prisma: PrismaService;
  let crash: WorkerCrashKit;

  beforeAll(async () => {
    simulator = await startSimulator({});
    queue = deliveryQueue(prefix);
    redis = new Redis(process.env.REDIS_URL as string);
    prisma = testPrisma();
    crash = new WorkerCrashKit(queue, redis, {
      ...process.env,
      QUEUE_PREFIX: prefix,
      MM7_URL: simulator.mm7Url,
      MM7_TIMEOUT_MS: '10000',
      DELIVERY_CONCURRENCY: '1',
    });
  });

  afterAll(async () => {
    await crash?.stopAll();
    await queue?.close();
    redis?.disconnect();
    await simulator?.app.close();
    await prisma?.$disconnect();
  });

  beforeEach(async () => {
    await simulator.reset();
  });

  const startWorker = () => crash.startWorker();
  const kill = async (fleet: Fleet) => crash.kill(fleet);
  const lockKey = (jobId: string) => crash.lockKey(jobId);
  const letItStall = (jobId: string) => crash.letItStall(jobId);

  const jobState = (jobId: string) => queue.getJobState(jobId);

  it('sends nothing again when the worker dies after SUBMITTED was recorded and a new worker reruns the job', async () => {
    // The MMSC answers after 500 ms: time to take the job's lock away from the first worker, so
    // that after recording SUBMITTED it cannot mark the job completed: the state a SIGKILL right
    // after the commit leaves (the job active, its message SUBMITTED), made certain.
    await simulator.configure({ latencyMs: 500 });
    const first = await startWorker();
    const { message, imageKey } = await renderedMessage(prisma);
    const jobId = message.trackingId;
    await enqueueSubmit(queue, jobId, imageKey);

    await until(async () => ((await simulator.messagesOf(jobId)).length > 0 ? true : undefined), 10_000, 'the SubmitReq');
    expect(await redis.exists(lockKey(jobId))).toBe(1);
    await crash.takeLock(jobId);
    const submitted = await messageIn(prisma, message.id, MessageStatus.Submitted);
    await sleep(200); // the worker's attempts to complete the job fail on the lock
    await kill(first);

    expect(await jobState(jobId)).toBe('active');
    const [received] = await simulator.messagesOf(jobId);
    expect(submitted.carrierMessageId).toBe(received.messageId);

    await letItStall(jobId);
    const second = await startWorker();
    const { job, state } = await finishedJob(queue, jobId);
    expect(state).toBe('completed');
    expect(job.stalledCounter).toBe(1);
    // The new worker ran the job and found the message already SUBMITTED.
    expect(job.returnvalue).toEqual({ submitted: false });

    expect(await simulator.messagesOf(jobId)).toHaveLength(1);
    expect(await simulator.stats()).toMatchObject({ submissions: 1, accepted: 1, repeats: 0 });
    const after = await prisma.message.findUniqueOrThrow({ where: { id: message.id }, include: { events: { orderBy: { id: 'asc' } } } });
    expect(after).toMatchObject({ status: 'SUBMITTED', carrierMessageId: received.messageId });
    expect(after.events.map((e) => e.status)).toEqual(['ACCEPTED', 'RENDERED', 'SUBMITTED']);
    await second.stop(5000);
  }, 50_000);

  it('sends the SubmitReq once more when the worker dies while it is in flight: one accepted repeat, SUBMITTED once', async () => {
    await simulator.configure({ latencyMs: 3000 });
    const first = await startWorker();
    const { message, imageKey } = await renderedMessage(prisma);
    const jobId = message.trackingId;
    await enqueueSubmit(queue, jobId, imageKey);

    // The MMSC has taken the message and will answer in 3 s; the worker dies after about 1 s.
    const [taken] = await until(
      async () => {
        const received = await simulator.messagesOf(jobId);
        return received.length > 0 ? received : undefined;
      },
      10_000,
      'the SubmitReq',
    );
    await sleep(1000);
    await kill(first);

    expect(taken).toMatchObject({ status: 'accepted', repeat: false });
    expect(await jobState(jobId)).toBe('active');
    const pending = await prisma.message.findUniqueOrThrow({ where: { id: message.id } });
    expect(pending).toMatchObject({ status: 'RENDERED', carrierMessageId: null });

    await simulator.configure({ latencyMs: 0 });
    await letItStall(jobId);
    const second = await startWorker();
    const { job, state } = await finishedJob(queue, jobId);
    expect(state).toBe('completed');
    expect(job.stalledCounter).toBe(1);
    expect(job.returnvalue).toEqual({ submitted: true });

    // The same TransactionID twice: the MMSC may deliver both copies. That is the window.
    const received = await simulator.messagesOf(jobId);
    expect(received.map((m) => [m.status, m.repeat, m.repeatOf])).toEqual([
      ['accepted', false, null],
      ['accepted', true, taken.id],
    ]);
    expect(await simulator.stats()).toMatchObject({ submissions: 2, accepted: 2, repeats: 1 });
    const after = await prisma.message.findUniqueOrThrow({ where: { id: message.id }, include: { events: { orderBy: { id: 'asc' } } } });
    expect(after).toMatchObject({ status: 'SUBMITTED', transport: 'mm7:default', carrierMessageId: received[1].messageId });
    expect(after.events.map((e) => e.status)).toEqual(['ACCEPTED', 'RENDERED', 'SUBMITTED']);
    await second.stop(5000);
  }, 50_000);
});
