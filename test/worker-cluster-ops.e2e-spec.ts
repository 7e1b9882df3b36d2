import { Queue } from 'bullmq';
import { JobName, QueueName } from '@mms/contracts';
import { type PrismaClient, createPrismaClient } from '@mms/db';
import { jobOptionsFor, redisOptionsFrom } from '@mms/queue';
import { Fleet, startFleet, waitForHttp } from '../scripts/lib/fleet';
import { createDemoMessage, eventually, suitePrefix } from './fixtures';
import { freePort } from './free-port';

/**
 * A worker command run as several processes (BARCODE_PROCESSES=2, node:cluster): the primary holds
 * the ops port, answers /metrics with its workers' registries added up and /health/ready with
 * each process's readiness, and lets the port go when the command stops.
 */
describe('barcode worker with BARCODE_PROCESSES=2: one ops port for the command', () => {
  const prefix = suitePrefix('cluster-ops');
  const output: string[] = [];
  let fleet: Fleet;
  let ops: string;
  let prisma: PrismaClient;
  let queue: Queue;

  beforeAll(async () => {
    const port = await freePort();
    ops = `http://127.0.0.1:${port}`;
    fleet = startFleet({
      services: ['barcode'],
      env: { ...process.env, QUEUE_PREFIX: prefix, BARCODE_PROCESSES: '2', BARCODE_OPS_PORT: String(port), LOG_FORMAT: 'json', WORKER_NICENESS: '0' },
      onLine: (_service, line) => output.push(line),
    });
    prisma = createPrismaClient(process.env.DATABASE_URL as string, 1);
    queue = new Queue(QueueName.Barcode, { prefix, connection: redisOptionsFrom(process.env.REDIS_URL as string, 'producer') });
    try {
      await waitForHttp(`${ops}/health/ready`, 45_000);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${output.slice(-20).join('\n')}`);
    }
  }, 60_000);

  afterAll(async () => {
    await fleet?.stop();
    await queue?.close();
    await prisma?.$disconnect();
  });

  it('is ready with both processes, and says so', async () => {
    // Ready as soon as one process is; the second may take a moment longer to boot.
    const body = await eventually(async () => {
      const response = await fetch(`${ops}/health/ready`);
      const answer = (await response.json()) as Record<string, string>;
      return response.status === 200 && answer.processes === '2/2 ready' ? answer : undefined;
    }, 20_000, 'both processes ready');
    expect(body).toMatchObject({ status: 'ready', processes: '2/2 ready' });
    const perProcess = Object.entries(body).filter(([check]) => /^worker barcode\[\d+\]$/.test(check));
    expect(perProcess.map(([, state]) => state)).toEqual(['running', 'running']);
  });

  it('adds up the processes\' job durations in one /metrics', async () => {
    const messages = await Promise.all([1, 2, 3, 4].map(() => createDemoMessage(prisma)));
    await queue.addBulk(
      messages.map((m) => ({ name: JobName.RenderBarcode, data: { trackingId: m.trackingId }, opts: jobOptionsFor(JobName.RenderBarcode, m.trackingId) })),
    );
    const text = await eventually(async () => {
      const scraped = await (await fetch(`${ops}/metrics`)).text();
      return /^mmsgw_job_duration_seconds_count\{queue="barcode",job_name="barcode.render",outcome="completed"\} 4$/m.test(scraped) ? scraped : undefined;
    }, 20_000, `4 renders in the aggregated metrics\n${output.slice(-10).join('\n')}`);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
  });

  it('stops cleanly on SIGTERM and lets the port go', async () => {
    await fleet.stop();
    expect(await fleet.services[0]?.exited).toBe(0);
    await expect(fetch(`${ops}/health/live`)).rejects.toThrow();
  });
});
