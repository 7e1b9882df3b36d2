import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { createLogger } from '@mms/config';
import { JobName, jobIdFor } from '@mms/contracts';
import type { PrismaService } from '@mms/db';
import { jobOptionsFor } from '@mms/queue';
import { suitePrefix } from '../../../test/fixtures';
import { DeliveryAppModule } from '../src/app.module';
import { loadDeliveryConfig } from '../src/config/delivery.config';
import { DeliveryRepository } from '../src/delivery/delivery.repository';
import { DeliveryService } from '../src/delivery/delivery.service';
import { type Simulator, deliveryQueue, finishedJob, renderedMessage, startSimulator, testPrisma } from './mm7-test-kit';

/**
 * The delivery worker taking many submit jobs at once (their reads and SUBMITTED steps shared in
 * batches), over real HTTP to the MMSC simulator, on the run's PostgreSQL and Redis: a failure of
 * one message stays its own, and a batch run again sends nothing twice.
 */
describe('delivery: submit jobs in batches (real HTTP, PostgreSQL, Redis)', () => {
  const prefix = suitePrefix('delivery-batch');
  let simulator: Simulator;
  let app: INestApplicationContext;
  let queue: Queue;
  let prisma: PrismaService;

  beforeAll(async () => {
    simulator = await startSimulator({ MMSC_SIM_DLR_WHEN: 'never' });
    const config = loadDeliveryConfig({
      ...process.env,
      QUEUE_PREFIX: prefix,
      MM7_URL: simulator.mm7Url,
      MM7_MAX_PER_SECOND: '10000',
      DELIVERY_CONCURRENCY: '32',
      LOG_LEVEL: 'error',
    });
    app = await NestFactory.createApplicationContext(DeliveryAppModule.forRoot(config), {
      logger: createLogger('delivery', config.LOG_LEVEL, config.LOG_FORMAT),
    });
    await app.init();
    queue = deliveryQueue(prefix);
    prisma = testPrisma();
  });

  afterAll(async () => {
    await app?.close();
    await queue?.close();
    await simulator?.app.close();
    await prisma?.$disconnect();
  });

  beforeEach(async () => {
    await simulator.reset();
  });

  const submitAll = (jobs: ReadonlyArray<{ trackingId: string; imageKey: string }>) =>
    queue.addBulk(jobs.map((data) => ({ name: JobName.SubmitMms, data, opts: jobOptionsFor(JobName.SubmitMms, jobIdFor(data.trackingId)) })));

  it('submits a batch in shared round trips; the one message whose barcode cannot fit its handset fails alone, with its reason', async () => {
    const loads = jest.spyOn(app.get(DeliveryRepository), 'findForDelivery');
    try {
      const good = await Promise.all(Array.from({ length: 19 }, () => renderedMessage(prisma)));
      // EAN-13 on a basic feature phone: no module size that still scans fits 160x120.
      const bad = await renderedMessage(prisma, { databaseId: 17867, barcodeValue: '4006381333931' });
      await prisma.message.update({ where: { id: bad.message.id }, data: { device: 'basic feature phone' } });
      const all = [...good.slice(0, 10), bad, ...good.slice(10)];
      await submitAll(all.map(({ message, imageKey }) => ({ trackingId: message.trackingId, imageKey })));

      const finished = await Promise.all(all.map(({ message }) => finishedJob(queue, jobIdFor(message.trackingId))));
      expect(finished.map((f) => f.state)).toEqual(all.map(({ message }) => (message.id === bad.message.id ? 'failed' : 'completed')));
      expect(loads.mock.calls.length).toBeLessThan(all.length);
      expect(loads.mock.calls.some(([requests]) => requests.length > 1)).toBe(true);

      const failedJob = finished[10]?.job;
      expect(failedJob?.attemptsMade).toBe(1);
      expect(failedJob?.failedReason).toMatch(/^handset profile image-basic: EAN13 value of 13 characters does not fit/);
      const failed = await prisma.message.findUniqueOrThrow({ where: { id: bad.message.id }, include: { events: { orderBy: { id: 'asc' } } } });
      expect(failed.status).toBe('FAILED');
      expect(failed.failureReason).toBe(`delivery: ${failedJob?.failedReason}`);
      expect(failed.events.map((e) => e.status)).toEqual(['ACCEPTED', 'RENDERED', 'FAILED']);

      const sent = await prisma.message.findMany({
        where: { id: { in: good.map(({ message }) => message.id) } },
        include: { events: { orderBy: { id: 'asc' } } },
      });
      expect(sent).toHaveLength(19);
      const stats = await simulator.stats();
      expect(stats).toMatchObject({ submissions: 19, accepted: 19, repeats: 0 });
      for (const message of sent) {
        expect(message.status).toBe('SUBMITTED');
        expect(message.transport).toBe('mm7:default');
        expect(message.events.map((e) => e.status)).toEqual(['ACCEPTED', 'RENDERED', 'SUBMITTED']);
        const received = await simulator.messagesOf(message.trackingId);
        expect(received.map((r) => r.messageId)).toEqual([message.carrierMessageId]);
      }
      expect(await simulator.messagesOf(bad.message.trackingId)).toEqual([]);
    } finally {
      loads.mockRestore();
    }
  });

  it('sends nothing again when a whole batch runs twice, at once and after', async () => {
    const messages = await Promise.all(Array.from({ length: 12 }, () => renderedMessage(prisma)));
    const service = app.get(DeliveryService);
    const first = await Promise.all(messages.map(({ message, imageKey }) => service.deliver(message.trackingId, imageKey)));
    expect(first).toEqual(messages.map(() => ({ submitted: true })));
    const again = await Promise.all(messages.map(({ message, imageKey }) => service.deliver(message.trackingId, imageKey)));
    expect(again).toEqual(messages.map(() => ({ submitted: false })));

    // And through the queue: the jobs run, find their messages SUBMITTED and send nothing.
    await submitAll(messages.map(({ message, imageKey }) => ({ trackingId: message.trackingId, imageKey })));
    const finished = await Promise.all(messages.map(({ message }) => finishedJob(queue, jobIdFor(message.trackingId))));
    expect(finished.map((f) => [f.state, f.job.returnvalue])).toEqual(messages.map(() => ['completed', { submitted: false }]));

    expect(await simulator.stats()).toMatchObject({ submissions: 12, accepted: 12, repeats: 0 });
    const events = await prisma.messageEvent.count({ where: { messageId: { in: messages.map(({ message }) => message.id) }, status: 'SUBMITTED' } });
    expect(events).toBe(12);
  });

  it('fails for good, without sending, a job whose barcode image is not in the store', async () => {
    const { message } = await renderedMessage(prisma);
    const missing = 'f'.repeat(64);
    await submitAll([{ trackingId: message.trackingId, imageKey: missing }]);
    const { job, state } = await finishedJob(queue, jobIdFor(message.trackingId));
    expect(state).toBe('failed');
    expect(job.failedReason).toBe(`barcode image ${missing} is not in the image store`);
    expect(job.attemptsMade).toBe(1);
    expect((await simulator.stats()).submissions).toBe(0);
    expect((await prisma.message.findUniqueOrThrow({ where: { id: message.id } })).status).toBe('FAILED');
  });
});
