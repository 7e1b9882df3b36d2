import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Queue } from 'bullmq';
import { createLogger } from '@mms/config';
import { JobName, QueueName } from '@mms/contracts';
import { createPrismaClient, type PrismaClient } from '@mms/db';
import { WorkerOps, jobOptionsFor, redisOptionsFrom } from '@mms/queue';
import { createDemoMessage, eventually, suitePrefix } from '../../../test/fixtures';
import { freePort } from '../../../test/free-port';
import { BarcodeAppModule } from '../src/app.module';
import { BarcodeProcessor } from '../src/barcode/barcode.processor';
import { loadBarcodeConfig } from '../src/config/barcode.config';

/**
 * The barcode worker's ops endpoints, in-process on real PostgreSQL and Redis: live and ready,
 * not ready once its queue worker closes or PostgreSQL is away, its jobs timed in /metrics, and
 * the port let go when the app closes.
 */
describe('barcode: ops port (metrics and health)', () => {
  const prefix = suitePrefix('barcode-ops');
  const boot = async (env: Record<string, string> = {}) => {
    const config = loadBarcodeConfig({ ...process.env, QUEUE_PREFIX: prefix, LOG_LEVEL: 'warn', ...env });
    const app = await NestFactory.createApplicationContext(BarcodeAppModule.forRoot(config), { logger: createLogger('barcode', config.LOG_LEVEL, config.LOG_FORMAT) });
    await app.init();
    const url = (await app.get(WorkerOps).serve('127.0.0.1', 0)) as string;
    return { app, url };
  };
  const ready = async (url: string) => {
    const response = await fetch(`${url}/health/ready`);
    return { status: response.status, body: (await response.json()) as Record<string, string> };
  };

  let app: INestApplicationContext;
  let url: string;
  let prisma: PrismaClient;
  let queue: Queue;

  beforeAll(async () => {
    ({ app, url } = await boot());
    prisma = createPrismaClient(process.env.DATABASE_URL as string, 1);
    queue = new Queue(QueueName.Barcode, { prefix, connection: redisOptionsFrom(process.env.REDIS_URL as string, 'producer') });
  });

  afterAll(async () => {
    await app?.close();
    await queue?.close();
    await prisma?.$disconnect();
  });

  it('is live and ready, and times each job in /metrics', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const live = await fetch(`${url}/health/live`);
    expect([live.status, await live.json()]).toEqual([200, { status: 'ok' }]);
    expect(await ready(url)).toEqual({ status: 200, body: { status: 'ready', postgres: 'up', 'worker barcode': 'running' } });

    const message = await createDemoMessage(prisma);
    await queue.add(JobName.RenderBarcode, { trackingId: message.trackingId }, jobOptionsFor(JobName.RenderBarcode, message.trackingId));
    const missing = await createDemoMessage(prisma);
    await prisma.message.delete({ where: { id: missing.id } });
    await queue.add(JobName.RenderBarcode, { trackingId: missing.trackingId }, jobOptionsFor(JobName.RenderBarcode, missing.trackingId));

    const metrics = await eventually(async () => {
      const response = await fetch(`${url}/metrics`);
      const text = await response.text();
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      return /job_name="barcode.render",outcome="failed"\} 1$/m.test(text) ? text : undefined;
    }, 15_000, 'the failed job in /metrics');
    expect(metrics).toContain('# TYPE mmsgw_job_duration_seconds histogram');
    expect(metrics).toMatch(/^mmsgw_job_duration_seconds_count\{queue="barcode",job_name="barcode.render",outcome="completed"\} 1$/m);
    expect(metrics).toMatch(/^mmsgw_job_duration_seconds_bucket\{le="30",queue="barcode",job_name="barcode.render",outcome="completed"\} 1$/m);
    expect(metrics).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect((await fetch(`${url}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('is not ready once its queue worker closes (shutting down), and lets the port go with the app', async () => {
    const other = await boot();
    try {
      await other.app.get(BarcodeProcessor).worker.close();
      expect(await ready(other.url)).toEqual({ status: 503, body: { status: 'not ready', postgres: 'up', 'worker barcode': 'closing' } });
    } finally {
      await other.app.close();
    }
    await expect(fetch(`${other.url}/health/live`)).rejects.toThrow();
  });

  it('is not ready while PostgreSQL does not answer', async () => {
    const deadDatabase = new URL(process.env.DATABASE_URL as string);
    deadDatabase.port = String(await freePort());
    const cutOff = await boot({ DATABASE_URL: deadDatabase.toString() });
    try {
      const { status, body } = await ready(cutOff.url);
      expect(status).toBe(503);
      expect(body).toMatchObject({ status: 'not ready', 'worker barcode': 'running' });
      expect(body.postgres).toMatch(/^down: /);
      // Still live: the process answers; the orchestrator should wait, not restart it.
      expect((await fetch(`${cutOff.url}/health/live`)).status).toBe(200);
    } finally {
      await cutOff.app.close();
    }
  });
});
