/**
 * `npm run bench:barcode`: renders per second per core for QR Code and PDF417 at ticket size.
 *   raw      bwip-js alone, in this process
 *   service  the barcode worker end to end, in this process with concurrency 1 (one core):
 *            job taken from Redis -> issuance and render -> image stored -> status recorded ->
 *            delivery job out; every value distinct, so every job renders
 *   cached   the same with every job resending one value: a render-cache lookup
 * Needs Redis and PostgreSQL (DATABASE_URL, default the dev database with the dev seed); uses its
 * own queue prefix and its own barcode databases, and removes its rows afterwards.
 * Two ratios to raw bwip-js: per wall-clock second (with PostgreSQL and Redis sharing this
 * machine's cores), and per CPU-second of the worker process, the "per core" figure.
 * Prints a table and writes bench-barcode.json at the repository root.
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { Queue } from 'bullmq';
import bwipjs from 'bwip-js';
import { JobName, QueueName, Symbology, trackingIdOf } from '@mms/contracts';
import { createPrismaClient } from '@mms/db';
import { jobOptionsFor, redisOptionsFrom } from '@mms/queue';
import { BarcodeAppModule } from '../apps/barcode/src/app.module';
import { loadBarcodeConfig } from '../apps/barcode/src/config/barcode.config';
import { REPO_ROOT } from './lib/fleet';

const JOBS = Number(process.env.BENCH_JOBS ?? 300);
const env = {
  ...process.env,
  DATABASE_URL: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/mmsgw',
  QUEUE_PREFIX: `bench-${Date.now().toString(36)}`,
  BARCODE_CONCURRENCY: process.env.BARCODE_CONCURRENCY ?? '4',
  LOG_LEVEL: 'warn',
};
const cases: ReadonlyArray<{ symbology: Symbology; bcid: string; scale: number; databaseId: number }> = [
  { symbology: 'QRCODE', bcid: 'qrcode', scale: 4, databaseId: 990_001 },
  { symbology: 'PDF417', bcid: 'pdf417', scale: 8, databaseId: 990_002 },
];

interface Rate {
  /** Jobs per wall-clock second. */
  readonly perSecond: number;
  /** Jobs per CPU-second of this process: "per core", whatever PostgreSQL and Redis take. */
  readonly perCpuSecond: number;
}

async function measure(run: () => Promise<void>): Promise<Rate> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await run();
  const { user, system } = process.cpuUsage(cpu);
  return { perSecond: JOBS / ((performance.now() - started) / 1000), perCpuSecond: JOBS / ((user + system) / 1e6) };
}

function rawRate(bcid: string, scale: number): Promise<Rate> {
  return measure(async () => {
    for (let i = 0; i < JOBS; i += 1) {
      await bwipjs.toBuffer({ bcid, text: `Ticket_${100000 + i}`, scale, paddingwidth: 8, paddingheight: 8, backgroundcolor: 'FFFFFF' });
    }
  });
}

async function main(): Promise<void> {
  const prisma = createPrismaClient(env.DATABASE_URL, 4);
  const connection = redisOptionsFrom(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'producer');
  const barcodeQueue = new Queue(QueueName.Barcode, { prefix: env.QUEUE_PREFIX, connection });
  const deliveryQueue = new Queue(QueueName.Delivery, { prefix: env.QUEUE_PREFIX, connection });
  const demo = await prisma.account.findUnique({ where: { name: 'demo' } });
  if (demo === null) throw new Error('no demo account: run npm run db:seed first');
  const template = 35674;
  const results: Array<Record<string, number | string>> = [];
  const created: number[] = [];

  const app = await NestFactory.createApplicationContext(BarcodeAppModule.forRoot(loadBarcodeConfig(env)), { logger: ['error', 'warn'] });
  await app.init();
  try {
    for (const c of cases) {
      await prisma.barcodeDatabase.deleteMany({ where: { id: c.databaseId } });
      await prisma.barcodeDatabase.create({ data: { id: c.databaseId, accountId: demo.id, name: 'bench', symbology: c.symbology, settings: {} } });
      const run = async (value: (i: number) => string): Promise<Rate> => {
        const ids: number[] = [];
        for (let i = 0; i < JOBS; i += 1) {
          const [{ id }] = await prisma.$queryRaw<[{ id: bigint }]>`SELECT nextval(pg_get_serial_sequence('messages', 'id')) AS id`;
          ids.push(Number(id));
        }
        await prisma.message.createMany({
          data: ids.map((id, i) => ({
            id,
            trackingId: trackingIdOf(id),
            accountId: demo.id,
            templateId: template,
            databaseId: c.databaseId,
            barcodeValue: value(i),
            toNumber: '16501234123',
            requestedFrom: '60856',
            senderCode: '60856',
          })),
        });
        created.push(...ids);
        await deliveryQueue.drain(true);
        return measure(async () => {
          await barcodeQueue.addBulk(
            ids.map((id) => ({ name: JobName.RenderBarcode, data: { trackingId: trackingIdOf(id) }, opts: jobOptionsFor(JobName.RenderBarcode, trackingIdOf(id)) })),
          );
          while ((await deliveryQueue.getJobCountByTypes('waiting', 'delayed')) < JOBS) {
            const failed = await barcodeQueue.getJobCountByTypes('failed');
            if (failed > 0) throw new Error(`${failed} render jobs failed`);
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        });
      };
      const raw = await rawRate(c.bcid, c.scale);
      const service = await run((i) => `Ticket_${c.databaseId}_${100000 + i}`);
      const cached = await run(() => `Ticket_${c.databaseId}_100000`);
      const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
      results.push({
        symbology: c.symbology,
        jobs: JOBS,
        rawPerSecond: Math.round(raw.perSecond),
        servicePerSecond: Math.round(service.perSecond),
        wallRatio: ratio(service.perSecond, raw.perSecond),
        rawPerCpuSecond: Math.round(raw.perCpuSecond),
        servicePerCpuSecond: Math.round(service.perCpuSecond),
        cpuRatio: ratio(service.perCpuSecond, raw.perCpuSecond),
        cachedPerSecond: Math.round(cached.perSecond),
      });
    }
  } finally {
    await app.close();
    await prisma.message.deleteMany({ where: { id: { in: created } } });
    await prisma.renderedBarcode.deleteMany({ where: { databaseId: { in: cases.map((c) => c.databaseId) } } });
    await prisma.barcodeDatabase.deleteMany({ where: { id: { in: cases.map((c) => c.databaseId) } } });
    await barcodeQueue.obliterate({ force: true });
    await deliveryQueue.obliterate({ force: true });
    await barcodeQueue.close();
    await deliveryQueue.close();
    await prisma.$disconnect();
  }
  console.log(`\nbarcode renders per second, one worker process, concurrency ${env.BARCODE_CONCURRENCY} (${JOBS} jobs per row)\n`);
  console.table(results);
  writeFileSync(join(REPO_ROOT, 'bench-barcode.json'), `${JSON.stringify({ at: new Date().toISOString(), results }, null, 2)}\n`);
}

main().catch((error: unknown) => {
  console.error(`bench:barcode: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
