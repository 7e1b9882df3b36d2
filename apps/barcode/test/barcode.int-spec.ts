import { createHash } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Job, type JobType, Queue } from 'bullmq';
import { createLogger } from '@mms/config';
import { JobName, QueueName, trackingIdOf } from '@mms/contracts';
import { createPrismaClient, type PrismaClient } from '@mms/db';
import { jobOptionsFor, redisOptionsFrom } from '@mms/queue';
import { decodeBarcodes } from '../../../test/barcode-decoder';
import { createDemoMessage, eventually, suitePrefix } from '../../../test/fixtures';
import { BarcodeAppModule } from '../src/app.module';
import { BarcodeRepository } from '../src/barcode/barcode.repository';
import { BarcodeService } from '../src/barcode/barcode.service';
import { loadBarcodeConfig } from '../src/config/barcode.config';

const ALL_STATES: JobType[] = ['waiting', 'prioritized', 'delayed', 'active', 'waiting-children', 'completed', 'failed'];
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * The barcode worker in-process on real PostgreSQL and Redis: issuance, rendering into the image
 * store, the RENDERED step and the hand-off to delivery; permanent failures through the real worker.
 */
describe('barcode: issuing and rendering (real PostgreSQL and Redis)', () => {
  const prefix = suitePrefix('barcode');
  let app: INestApplicationContext;
  let service: BarcodeService;
  let prisma: PrismaClient;
  let barcodeQueue: Queue;
  let deliveryQueue: Queue;

  beforeAll(async () => {
    const config = loadBarcodeConfig({ ...process.env, QUEUE_PREFIX: prefix, LOG_LEVEL: 'warn' });
    app = await NestFactory.createApplicationContext(BarcodeAppModule.forRoot(config), {
      logger: createLogger('barcode', config.LOG_LEVEL, config.LOG_FORMAT),
    });
    await app.init();
    service = app.get(BarcodeService);
    prisma = createPrismaClient(process.env.DATABASE_URL as string, 2);
    const connection = redisOptionsFrom(process.env.REDIS_URL as string, 'producer');
    barcodeQueue = new Queue(QueueName.Barcode, { prefix, connection });
    deliveryQueue = new Queue(QueueName.Delivery, { prefix, connection });
  });

  afterAll(async () => {
    await app?.close();
    await barcodeQueue?.close();
    await deliveryQueue?.close();
    await prisma?.$disconnect();
  });

  /** Every delivery job (any state) of this message: the hand-off must leave exactly one. */
  const deliveryJobsOf = async (trackingId: string) =>
    (await deliveryQueue.getJobs(ALL_STATES)).filter((job) => job.data?.trackingId === trackingId);

  const eventsOf = async (messageId: number) =>
    prisma.messageEvent.findMany({ where: { messageId }, orderBy: { id: 'asc' } });

  const settled = (job: Job | undefined) =>
    eventually(
      async () => {
        const state = await job?.getState();
        return state === 'completed' || state === 'failed' ? state : undefined;
      },
      10_000,
      `job ${job?.id} to settle`,
    );

  it('issues, renders into the image store, records RENDERED and queues delivery under the tracking id', async () => {
    const message = await createDemoMessage(prisma);
    const { trackingId } = message;

    const result = await service.issueAndRender(trackingId);
    expect(result.rendered).toBe(true);
    const { imageKey } = result;
    expect(imageKey).toMatch(/^[0-9a-f]{64}$/);

    const issued = await prisma.issuedBarcode.findMany({ where: { messageId: message.id } });
    expect(issued).toHaveLength(1);
    expect(issued[0]).toMatchObject({
      databaseId: 17856,
      barcodeId: message.barcodeValue,
      phone: message.toNumber,
      campaignId: null,
      messageId: message.id,
      trackingId,
      imageKey,
    });

    const stored = await prisma.message.findUniqueOrThrow({ where: { id: message.id } });
    expect(stored.status).toBe('RENDERED');
    expect(stored.imageKey).toBe(imageKey);
    expect(stored.failureReason).toBeNull();
    const events = await eventsOf(message.id);
    expect(events.map((e) => e.status)).toEqual(['ACCEPTED', 'RENDERED']);
    expect(events[1].detail).toMatchObject({ symbology: 'QRCODE', imageKey, contentType: 'image/png', settingsVersion: 1 });

    const image = await prisma.storedImage.findUniqueOrThrow({ where: { key: imageKey } });
    expect(image.contentType).toBe('image/png');
    expect(sha256(image.bytes)).toBe(imageKey);
    expect(image.byteSize).toBe(image.bytes.length);
    expect(await decodeBarcodes(Buffer.from(image.bytes))).toEqual([message.barcodeValue]);

    const job = await deliveryQueue.getJob(trackingId);
    expect(job?.name).toBe(JobName.SubmitMms);
    expect(job?.data).toEqual({ trackingId, imageKey });
    expect(job?.opts.attempts).toBe(8);
    expect(await deliveryJobsOf(trackingId)).toHaveLength(1);
  });

  it('is safe to run twice: one issuance, one RENDERED event, one delivery job, the same image', async () => {
    const message = await createDemoMessage(prisma);
    const first = await service.issueAndRender(message.trackingId);
    const second = await service.issueAndRender(message.trackingId);

    expect(first.rendered).toBe(true);
    expect(second).toEqual({ imageKey: first.imageKey, rendered: false });
    const issued = await prisma.issuedBarcode.findMany({ where: { messageId: message.id } });
    expect(issued.map((row) => row.imageKey)).toEqual([first.imageKey]);
    expect((await eventsOf(message.id)).map((e) => e.status)).toEqual(['ACCEPTED', 'RENDERED']);
    expect(await prisma.storedImage.count({ where: { key: first.imageKey } })).toBe(1);
    const jobs = await deliveryJobsOf(message.trackingId);
    expect(jobs.map((job) => ({ id: job.id, data: job.data }))).toEqual([
      { id: message.trackingId, data: { trackingId: message.trackingId, imageKey: first.imageKey } },
    ]);
  });

  it('fails an unencodable value (EAN-13 "NOT-A-NUMBER") for good through the worker: FAILED, one attempt, no delivery', async () => {
    const message = await createDemoMessage(prisma, { databaseId: 17867, barcodeValue: 'NOT-A-NUMBER' });
    const { trackingId } = message;
    const options = jobOptionsFor(JobName.RenderBarcode, trackingId);
    expect(options).toMatchObject({ jobId: trackingId, attempts: 8 });
    await barcodeQueue.add(JobName.RenderBarcode, { trackingId }, options);

    const failed = await eventually(
      async () => {
        const row = await prisma.message.findUniqueOrThrow({ where: { id: message.id } });
        return row.status === 'FAILED' ? row : undefined;
      },
      10_000,
      'the message to be FAILED',
    );

    const job = await barcodeQueue.getJob(trackingId);
    expect(await job?.getState()).toBe('failed');
    expect(job?.attemptsMade).toBe(1);
    expect(job?.failedReason).toMatch(/^cannot encode as EAN13: /);
    expect(failed.failureReason).toBe(`barcode: ${job?.failedReason}`);
    expect(failed.imageKey).toBeNull();

    const events = await eventsOf(message.id);
    expect(events.map((e) => e.status)).toEqual(['ACCEPTED', 'FAILED']);
    // A permanent failure's own reason is also what the partner's E101 says (statusDetails).
    expect(events[1].detail).toEqual({ stage: 'barcode', reason: job?.failedReason, statusDetails: job?.failedReason });
    expect(await deliveryJobsOf(trackingId)).toHaveLength(0);
    // A value that never rendered is never issued.
    expect(await prisma.issuedBarcode.count({ where: { messageId: message.id } })).toBe(0);
  });

  it('does not let a malformed job fail the real message whose tracking id it carries', async () => {
    const message = await createDemoMessage(prisma);
    const jobId = `malformed-${Math.random().toString(36).slice(2)}`;
    const job = await barcodeQueue.add(
      JobName.RenderBarcode,
      { trackingId: message.trackingId, extra: 'key' },
      jobOptionsFor(JobName.RenderBarcode, jobId),
    );
    expect(await settled(job)).toBe('failed');
    expect((await prisma.message.findUniqueOrThrow({ where: { id: message.id } })).status).toBe('ACCEPTED');
  });

  it.each([
    ['a tracking id with ":"', { trackingId: 'x:y' }, 'invalid payload for job barcode.render: trackingId: not a tracking id'],
    ['an extra key', { trackingId: trackingIdOf(1_999_999_999), extra: 'key' }, 'invalid payload for job barcode.render: (root): Unrecognized key: "extra"'],
    ['no tracking id', {}, 'invalid payload for job barcode.render: trackingId: Invalid input: expected string, received undefined'],
  ])('fails a job with %s for good after one attempt', async (_case, payload, reason) => {
    const jobId = `invalid-${Math.random().toString(36).slice(2)}`;
    const job = await barcodeQueue.add(JobName.RenderBarcode, payload, jobOptionsFor(JobName.RenderBarcode, jobId));
    expect(await settled(job)).toBe('failed');
    const after = await barcodeQueue.getJob(jobId);
    expect(after?.opts.attempts).toBe(8);
    expect(after?.attemptsMade).toBe(1);
    expect(after?.failedReason).toBe(reason);
  });

  it('fails an unknown job name for good and keeps working: a valid job afterwards is rendered', async () => {
    const unknownId = `unknown-${Math.random().toString(36).slice(2)}`;
    const unknown = await barcodeQueue.add('barcode.unknown', { trackingId: trackingIdOf(1_999_999_998) }, jobOptionsFor(JobName.RenderBarcode, unknownId));
    expect(await settled(unknown)).toBe('failed');
    const unknownAfter = await barcodeQueue.getJob(unknownId);
    expect(unknownAfter?.attemptsMade).toBe(1);
    expect(unknownAfter?.failedReason).toBe('no handler for job barcode.unknown on barcode');

    // The invalid jobs above did not stop the worker.
    const message = await createDemoMessage(prisma);
    const valid = await barcodeQueue.add(JobName.RenderBarcode, { trackingId: message.trackingId }, jobOptionsFor(JobName.RenderBarcode, message.trackingId));
    expect(await settled(valid)).toBe('completed');
    const done = await barcodeQueue.getJob(message.trackingId);
    const stored = await prisma.message.findUniqueOrThrow({ where: { id: message.id } });
    expect(stored.status).toBe('RENDERED');
    expect(done?.returnvalue).toEqual({ imageKey: stored.imageKey, rendered: true });
    expect(done?.attemptsMade).toBe(1);
    expect((await deliveryJobsOf(message.trackingId)).map((job) => job.data)).toEqual([
      { trackingId: message.trackingId, imageKey: stored.imageKey },
    ]);
  });

  it('works 50 render jobs taken at once in shared batches: each message RENDERED once, issued once, handed to delivery once', async () => {
    const repository = app.get(BarcodeRepository);
    const loads = jest.spyOn(repository, 'findForRenderMany');
    const settles = jest.spyOn(repository, 'recordRenderedMany');
    try {
      // Ten values sent to five phones each: fresh renders and cache hits meet in the same batches.
      const stem = `Batch_${process.pid}_${Date.now()}`;
      const messages = [];
      for (let i = 0; i < 50; i += 1) messages.push(await createDemoMessage(prisma, { barcodeValue: `${stem}_${i % 10}` }));
      await barcodeQueue.addBulk(
        messages.map((m) => ({ name: JobName.RenderBarcode, data: { trackingId: m.trackingId }, opts: jobOptionsFor(JobName.RenderBarcode, m.trackingId) })),
      );
      const jobs = await Promise.all(messages.map((m) => barcodeQueue.getJob(m.trackingId)));
      expect(await Promise.all(jobs.map((job) => settled(job)))).toEqual(messages.map(() => 'completed'));

      // Shared round trips: far fewer loads and RENDERED statements than jobs.
      expect(loads.mock.calls.length).toBeLessThan(25);
      expect(settles.mock.calls.length).toBeLessThan(25);
      expect(loads.mock.calls.some(([ids]) => ids.length > 1)).toBe(true);

      const ids = messages.map((m) => m.id);
      const stored = await prisma.message.findMany({ where: { id: { in: ids } } });
      expect(stored.map((m) => m.status)).toEqual(ids.map(() => 'RENDERED'));
      const events = await prisma.messageEvent.groupBy({ by: ['messageId', 'status'], where: { messageId: { in: ids } }, _count: true });
      expect(events.filter((e) => e.status === 'RENDERED').map((e) => e._count)).toEqual(ids.map(() => 1));
      const issued = await prisma.issuedBarcode.findMany({ where: { messageId: { in: ids } } });
      expect(issued).toHaveLength(50);
      for (const message of stored) {
        expect(issued.find((row) => row.messageId === message.id)).toMatchObject({ imageKey: message.imageKey, barcodeId: message.barcodeValue });
      }
      // One image and one cache row per value, however many of its messages met in a batch.
      const keyOfValue = new Map<string, string | null>();
      for (const message of stored) {
        const known = keyOfValue.get(message.barcodeValue);
        if (known !== undefined) expect(message.imageKey).toBe(known);
        keyOfValue.set(message.barcodeValue, message.imageKey);
      }
      expect(new Set(stored.map((m) => m.imageKey)).size).toBe(10);
      expect(await prisma.renderedBarcode.count({ where: { imageKey: { in: [...new Set(stored.map((m) => m.imageKey as string))] } } })).toBe(10);

      const deliveryJobs = (await deliveryQueue.getJobs(ALL_STATES)).filter((job) => ids.map((id) => trackingIdOf(id)).includes(job.data?.trackingId));
      expect(deliveryJobs.map((job) => job.id).sort()).toEqual(messages.map((m) => m.trackingId).sort());
      for (const job of deliveryJobs) {
        expect(job.data).toEqual({ trackingId: job.id, imageKey: stored.find((m) => m.trackingId === job.id)?.imageKey });
      }

      // The whole batch again, all at once: nothing new is recorded.
      const again = await Promise.all(messages.map((m) => service.issueAndRender(m.trackingId)));
      expect(again.every((r) => !r.rendered)).toBe(true);
      expect(await prisma.messageEvent.count({ where: { messageId: { in: ids }, status: 'RENDERED' } })).toBe(50);
      expect(await prisma.issuedBarcode.count({ where: { messageId: { in: ids } } })).toBe(50);
    } finally {
      loads.mockRestore();
      settles.mockRestore();
    }
  });

  it('renders a resent BARCODEID once (cache per database settings version), and again after a settings change', async () => {
    const databaseId = 980_000 + Math.floor(Math.random() * 10_000);
    const demo = await prisma.account.findUniqueOrThrow({ where: { name: 'demo' } });
    await prisma.barcodeDatabase.create({ data: { id: databaseId, accountId: demo.id, name: 'cache test', symbology: 'QRCODE', settings: {} } });
    const value = `Resend_${databaseId}`;
    const first = await createDemoMessage(prisma, { databaseId, barcodeValue: value });
    const second = await createDemoMessage(prisma, { databaseId, barcodeValue: value });
    const a = await service.issueAndRender(first.trackingId);
    const b = await service.issueAndRender(second.trackingId);
    expect(b.imageKey).toBe(a.imageKey);
    const secondEvent = (await eventsOf(second.id)).find((e) => e.status === 'RENDERED');
    expect(secondEvent?.detail).toMatchObject({ cached: true, settingsVersion: 1 });
    // Both issuances are kept: a lookup by BARCODEID shows both holders.
    expect(await prisma.issuedBarcode.count({ where: { databaseId, barcodeId: value } })).toBe(2);

    await prisma.barcodeDatabase.update({ where: { id: databaseId }, data: { settings: { moduleSize: 4 }, settingsVersion: { increment: 1 } } });
    const third = await createDemoMessage(prisma, { databaseId, barcodeValue: value });
    const c = await service.issueAndRender(third.trackingId);
    expect(c.imageKey).not.toBe(a.imageKey);
    const thirdEvent = (await eventsOf(third.id)).find((e) => e.status === 'RENDERED');
    expect(thirdEvent?.detail).toMatchObject({ cached: false, settingsVersion: 2 });
    const image = await prisma.storedImage.findUniqueOrThrow({ where: { key: c.imageKey } });
    expect(await decodeBarcodes(Buffer.from(image.bytes))).toEqual([value]);
  });
});
