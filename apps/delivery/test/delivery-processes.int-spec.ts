import { execSync } from 'node:child_process';
import type { Queue } from 'bullmq';
import { suitePrefix } from '../../../test/fixtures';
import { startFleet } from '../../../scripts/lib/fleet';
import { deliveryQueue, until } from './mm7-test-kit';

/**
 * DELIVERY_PROCESSES: `npm run delivery` as a supervisor of that many worker processes
 * (node:cluster, libs/config superviseWorkerProcesses), each a BullMQ worker on the same queue;
 * a worker that dies is replaced, and SIGTERM stops them all.
 */
describe('delivery: DELIVERY_PROCESSES worker processes (child processes, real Redis)', () => {
  const prefix = suitePrefix('dproc');
  let queue: Queue;

  beforeAll(() => {
    queue = deliveryQueue(prefix);
  });

  afterAll(async () => {
    await queue?.close();
  });

  it('runs two workers on the queue, replaces one that is killed, and stops them all on SIGTERM', async () => {
    const output: string[] = [];
    const fleet = startFleet({
      services: ['delivery'],
      env: { ...process.env, QUEUE_PREFIX: prefix, DELIVERY_PROCESSES: '2', LOG_LEVEL: 'warn' },
      onLine: (_service, line) => output.push(line),
    });
    const [primary] = fleet.services;
    try {
      await until(
        async () => {
          if (primary.process.exitCode !== null) throw new Error(`the delivery command exited with ${primary.process.exitCode}`);
          return (await queue.getWorkersCount()) === 2 ? true : undefined;
        },
        30_000,
        'two delivery workers',
      );

      // A worker process killed outright: the supervisor starts another.
      const before = new Set((await queue.getWorkers()).map((w) => w.addr));
      const children = execSync(`pgrep -P ${primary.process.pid}`, { encoding: 'utf8' }).trim().split('\n').map(Number);
      expect(children).toHaveLength(2);
      process.kill(children[0] as number, 'SIGKILL');
      await until(
        async () => {
          const now = execSync(`pgrep -P ${primary.process.pid} || true`, { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
          return now.length === 2 && !now.includes(children[0] as number) ? true : undefined;
        },
        30_000,
        'a replacement worker process',
      );
      await until(
        async () => {
          const workers = await queue.getWorkers();
          return workers.length === 2 && workers.some((w) => !before.has(w.addr)) ? true : undefined;
        },
        30_000,
        'the replacement to work the queue',
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${output.slice(-20).join('\n')}`);
    } finally {
      await fleet.stop(15_000);
    }
    expect(primary.process.exitCode).toBe(0);
    await until(async () => ((await queue.getWorkersCount()) === 0 ? true : undefined), 10_000, 'no workers left');
  }, 90_000);
});
