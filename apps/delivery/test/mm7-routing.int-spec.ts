import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Queue } from 'bullmq';
import type { PrismaService } from '@mms/db';
import { suitePrefix } from '../../../test/fixtures';
import { DeliveryAppModule } from '../src/app.module';
import { loadDeliveryConfig } from '../src/config/delivery.config';
import { Simulator, deliveryQueue, enqueueSubmit, finishedJob, messageIn, renderedMessage, startSimulator, testPrisma } from './mm7-test-kit';

/**
 * Several MMSC connectors: the recipient's country picks the route, the route names the
 * connector, and each connector keeps its own agreed rate across delivery processes (Redis).
 * Real HTTP to two simulators; the run's PostgreSQL and Redis.
 */
describe('delivery: MM7 routes and per-connector rates', () => {
  const prefix = suitePrefix('mm7-routing');
  // A country code no other suite routes (ISO 3166 user-assigned).
  const country = 'ZZ';
  let main: Simulator;
  let second: Simulator;
  let apps: INestApplicationContext[] = [];
  let prisma: PrismaService;
  let queue: Queue;
  let routeId: number;

  beforeAll(async () => {
    [main, second] = await Promise.all([startSimulator({}), startSimulator({})]);
    await Promise.all([main.configure({ dlrWhen: 'never' }), second.configure({ dlrWhen: 'never' })]);
    prisma = testPrisma();
    queue = deliveryQueue(prefix);
    routeId = (await prisma.carrierRoute.create({ data: { country, connector: 'second' } })).id;
    const config = loadDeliveryConfig({
      ...process.env,
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'error',
      MM7_URL: main.mm7Url,
      MM7_CONNECTORS: JSON.stringify([{ name: 'second', url: second.mm7Url, maxPerSecond: 2 }]),
    });
    // Two delivery processes' worth of workers on one queue: the rate must hold across both.
    for (let i = 0; i < 2; i += 1) {
      const app = await NestFactory.createApplicationContext(DeliveryAppModule.forRoot(config), { logger: ['error'] });
      await app.init();
      apps.push(app);
    }
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    apps = [];
    await prisma?.carrierRoute.deleteMany({ where: { id: routeId } });
    await queue?.close();
    await prisma?.$disconnect();
    await Promise.all([main?.app.close(), second?.app.close()]);
  });

  it('sends to the connector of the recipient\'s route, and to the default one elsewhere', async () => {
    const routed = await renderedMessage(prisma);
    await prisma.message.update({ where: { id: routed.message.id }, data: { toCountry: country } });
    const unrouted = await renderedMessage(prisma);
    await prisma.message.update({ where: { id: unrouted.message.id }, data: { toCountry: 'US' } });
    await enqueueSubmit(queue, routed.message.trackingId, routed.imageKey);
    await enqueueSubmit(queue, unrouted.message.trackingId, unrouted.imageKey);

    expect((await messageIn(prisma, routed.message.id, 'SUBMITTED')).transport).toBe('mm7:second');
    expect((await messageIn(prisma, unrouted.message.id, 'SUBMITTED')).transport).toBe('mm7:default');
    expect(await second.messagesOf(routed.message.trackingId)).toHaveLength(1);
    expect(await main.messagesOf(routed.message.trackingId)).toHaveLength(0);
    expect(await main.messagesOf(unrouted.message.trackingId)).toHaveLength(1);
  });

  it('holds a connector to its rate (2 per second) across two delivery processes, spending no attempts', async () => {
    const batch = [];
    for (let i = 0; i < 6; i += 1) {
      const rendered = await renderedMessage(prisma);
      await prisma.message.update({ where: { id: rendered.message.id }, data: { toCountry: country } });
      batch.push(rendered);
    }
    await Promise.all(batch.map((r) => enqueueSubmit(queue, r.message.trackingId, r.imageKey)));
    for (const r of batch) await messageIn(prisma, r.message.id, 'SUBMITTED', 20_000);

    const received = (await Promise.all(batch.map((r) => second.messagesOf(r.message.trackingId))))
      .flat()
      .map((m) => Date.parse(m.receivedAt))
      .sort((a, b) => a - b);
    expect(received).toHaveLength(6);
    // The limiter grants at most 2 slots in any one-second interval. A job takes its slot before
    // composing, so what the MMSC sees is the slot times plus each message's compose and HTTP time,
    // which on a loaded machine differ by tens of milliseconds: never three SubmitReqs within
    // (much less than) a second, and the six span two seconds.
    for (let i = 0; i + 2 < received.length; i += 1) {
      expect((received[i + 2] as number) - (received[i] as number)).toBeGreaterThanOrEqual(800);
    }
    expect((received.at(-1) as number) - (received[0] as number)).toBeGreaterThanOrEqual(1800);
    for (const r of batch) {
      const { job, state } = await finishedJob(queue, r.message.trackingId);
      expect(state).toBe('completed');
      expect(job.attemptsMade).toBe(1);
    }
  });

  it('fails a message whose route names a connector that is not configured', async () => {
    const orphan = await renderedMessage(prisma);
    const badRoute = await prisma.carrierRoute.create({ data: { country: 'ZY', connector: 'nowhere' } });
    try {
      await prisma.message.update({ where: { id: orphan.message.id }, data: { toCountry: 'ZY' } });
      await enqueueSubmit(queue, orphan.message.trackingId, orphan.imageKey);
      const failed = await messageIn(prisma, orphan.message.id, 'FAILED');
      expect(failed.failureReason).toBe('delivery: no MM7 connector named nowhere is configured');
    } finally {
      await prisma.carrierRoute.delete({ where: { id: badRoute.id } });
    }
  });
});
