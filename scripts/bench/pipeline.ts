import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QueueName } from '@mms/contracts';
import { redisOptionsFrom } from '@mms/queue';
import { RunGuard } from './failure';

/**
 * Each end-to-end phase must start with empty queues: otherwise the backlog the accept phase left
 * (thousands of jobs when the gateway is fast) would be counted by the simulator as the burst's,
 * or hold the burst up behind it. The bench drops the jobs still waiting (their messages stay
 * ACCEPTED in the throw-away database; the gateway's reconciler is set not to revive them) and
 * lets the ones in progress finish. An "active" job whose lock is gone belonged to a worker that
 * was stopped: BullMQ's stalled-job check would run it again in the middle of the next phase, so
 * it is dropped too. Barcode first: its jobs hand over to delivery.
 */
export interface QuiesceResult {
  readonly dropped: number;
  /** Jobs still in progress (locked) when the cap was reached. */
  readonly still_active: number;
}

export async function quiescePipeline(redisUrl: string, prefix: string, guard: RunGuard, capMs: number): Promise<QuiesceResult> {
  const connection = redisOptionsFrom(redisUrl, 'producer');
  const queues = [QueueName.Barcode, QueueName.Delivery].map((name) => new Queue(name, { prefix, connection }));
  const redis = new Redis({ ...connection, lazyConnect: true });
  redis.on('error', () => undefined);
  await redis.connect();
  const deadline = Date.now() + capMs;
  let dropped = 0;
  let stillActive = 0;
  try {
    // Twice: a job finishing on barcode while delivery is drained lands on delivery afterwards.
    for (let pass = 0; pass < 2; pass += 1) {
      stillActive = 0;
      for (const queue of queues) {
        const counts = await queue.getJobCounts('waiting', 'delayed', 'prioritized');
        dropped += Object.values(counts).reduce((a, b) => a + b, 0);
        await queue.drain(true);
        let running: number;
        while ((running = await dropOrphans(queue, redis, (n) => (dropped += n))) > 0 && Date.now() < deadline) await guard.sleep(100);
        stillActive += running;
      }
    }
  } finally {
    await Promise.all(queues.map((q) => q.close()));
    redis.disconnect();
  }
  return { dropped, still_active: stillActive };
}

/** Removes active jobs nobody holds a lock on; returns how many are really in progress. */
async function dropOrphans(queue: Queue, redis: Redis, onDropped: (n: number) => void): Promise<number> {
  let running = 0;
  for (const job of await queue.getJobs(['active'])) {
    if (job.id === undefined) continue;
    if ((await redis.exists(`${queue.toKey(job.id)}:lock`)) === 1) {
      running += 1;
      continue;
    }
    // The lock may have come back in between (a worker picked it up): then removal refuses.
    const removed = await job.remove().then(
      () => true,
      () => false,
    );
    if (removed) onDropped(1);
    else running += 1;
  }
  return running;
}
