import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { type Fleet, startFleet } from '../../../scripts/lib/fleet';
import { until } from './mm7-test-kit';

/**
 * Delivery worker processes that a test kills with SIGKILL (scripts/lib/fleet.ts, as `npm start`
 * runs them), and what BullMQ does about the jobs they held, without the minute's wait.
 *
 * A job whose worker died stays in BullMQ's active list, locked for the processor's lockDuration;
 * another worker's stalled-job check moves it back to wait once it has seen it unlocked. Waiting
 * for that takes up to a minute, so `letItStall` does in Redis what the passing time would: it
 * deletes the job's lock (its expiry), marks the job as a stall candidate (what the previous check
 * does with every active job) and clears the throttle key. The next worker's own check at
 * start-up then moves the job back to wait exactly as BullMQ would, counting the stall.
 */
export class WorkerCrashKit {
  private readonly fleets: Fleet[] = [];
  readonly output: string[] = [];

  constructor(
    /** The queue whose workers are counted and whose jobs stall. */
    private readonly queue: Queue,
    private readonly redis: Redis,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** One delivery worker process, once BullMQ lists it as a worker of the queue. */
  async startWorker(): Promise<Fleet> {
    const workersBefore = await this.queue.getWorkersCount();
    const env = { LOG_LEVEL: 'log', LOG_FORMAT: 'json', ...this.env };
    const fleet = startFleet({ services: ['delivery'], env, onLine: (service, line) => this.output.push(`${service}: ${line}`) });
    this.fleets.push(fleet);
    try {
      const [worker] = fleet.services;
      await until(
        async () => {
          if (worker?.process.exitCode !== null) throw new Error(`the delivery process exited with ${worker?.process.exitCode}`);
          return (await this.queue.getWorkersCount()) > workersBefore ? true : undefined;
        },
        20_000,
        'the delivery process to start working',
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${this.output.slice(-20).join('\n')}`);
    }
    return fleet;
  }

  /** SIGKILL: no shutdown hook runs, the jobs it held stay active. */
  async kill(fleet: Fleet): Promise<void> {
    const [worker] = fleet.services;
    if (worker === undefined) throw new Error('no worker in this fleet');
    worker.process.kill('SIGKILL');
    await worker.exited;
    if (worker.process.signalCode !== 'SIGKILL') throw new Error(`the worker ended with ${worker.process.signalCode}, not SIGKILL`);
  }

  lockKey(jobId: string): string {
    return this.queue.toKey(`${jobId}:lock`);
  }

  /** Takes the job's lock away from its worker: its attempts to complete the job fail from now on. */
  async takeLock(jobId: string): Promise<void> {
    await this.redis.set(this.lockKey(jobId), 'taken-by-the-test', 'PX', 60_000);
  }

  /** What the lock's expiry and a first stalled check would do (see above). */
  async letItStall(jobId: string): Promise<void> {
    await this.redis.del(this.lockKey(jobId));
    await this.redis.sadd(this.queue.toKey('stalled'), jobId);
    await this.redis.del(this.queue.toKey('stalled-check'));
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.fleets.map((fleet) => fleet.stop(5000)));
  }
}
