import type { INestApplicationContext } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { MessageStatus } from '@mms/contracts';
import type { PrismaService } from '@mms/db';
import { recordTransition } from '@mms/db';
import { suitePrefix } from '../../../test/fixtures';
import { type GatewayHarness, startGateway } from '../../gateway/test/gateway-harness';
import {
  type Simulator,
  basicAuth,
  deliveryQueue,
  deliveryReportReq,
  enqueueSubmit,
  messageIn,
  renderedMessage,
  startDeliveryWorker,
  startSimulator,
  testPrisma,
  until,
} from './mm7-test-kit';

const INBOUND_USER = 'mmsc';
const INBOUND_PASSWORD = 'mm7-inbound-secret';
/** Submits queued ahead of the report, one at a time, each held this long by the MMSC. */
const BACKLOG = 60;
const MMSC_LATENCY_MS = 250;

/**
 * Delivery reports have their own queue: a report that arrives while thousands of submits wait
 * for the carrier is applied at once, not after them. Real gateway (the report's HTTP endpoint
 * and outbox), real delivery worker, the MMSC simulator answering slowly, PostgreSQL and Redis.
 */
describe('a delivery report behind a submit backlog', () => {
  const prefix = suitePrefix('dr-queue');
  let gateway: GatewayHarness;
  let simulator: Simulator;
  let delivery: INestApplicationContext;
  let queue: Queue;
  let prisma: PrismaService;

  beforeAll(async () => {
    gateway = await startGateway({
      QUEUE_PREFIX: prefix,
      MM7_INBOUND_USERNAME: INBOUND_USER,
      MM7_INBOUND_PASSWORD: INBOUND_PASSWORD,
      RECONCILE_INTERVAL_MS: '3600000',
      LOG_LEVEL: 'error',
    });
    simulator = await startSimulator({});
    await simulator.configure({ latencyMs: MMSC_LATENCY_MS, dlrWhen: 'never' });
    delivery = await startDeliveryWorker({ QUEUE_PREFIX: prefix, MM7_URL: simulator.mm7Url, DELIVERY_CONCURRENCY: '1' });
    queue = deliveryQueue(prefix);
    prisma = testPrisma();
  });

  afterAll(async () => {
    await queue?.obliterate({ force: true }).catch(() => undefined);
    await delivery?.close();
    await queue?.close();
    await simulator?.app.close();
    await gateway?.close();
    await prisma?.$disconnect();
  });

  it('is applied while the submits queued before it still wait', async () => {
    // A message the carrier already has: SUBMITTED with the MMSC's MessageID.
    const { message } = await renderedMessage(prisma);
    const mmscMessageId = `77${Date.now()}`;
    await recordTransition(prisma.pool, {
      messageId: message.id,
      from: [MessageStatus.Rendered],
      to: MessageStatus.Submitted,
      set: { transport: 'mm7:default', carrierMessageId: mmscMessageId },
      detail: { via: 'test fixture' },
    });

    // The backlog: submits for one worker slot, each a quarter second at the MMSC.
    const backlog = await Promise.all(Array.from({ length: BACKLOG }, () => renderedMessage(prisma)));
    for (const { message: queued, imageKey } of backlog) await enqueueSubmit(queue, queued.trackingId, imageKey);
    await until(async () => ((await simulator.stats()).submissions > 0 ? true : undefined), 10_000, 'the first submit of the backlog');

    const response = await fetch(`${new URL(gateway.url).origin}/mm7/delivery-reports`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset="utf-8"', soapaction: '""', authorization: basicAuth(INBOUND_USER, INBOUND_PASSWORD) },
      body: deliveryReportReq({ transactionId: 'DR-backlog', messageId: mmscMessageId, recipient: message.toNumber, mmStatus: 'Retrieved', handset: 'iPhoneOS' }),
    });
    expect(response.status).toBe(200);

    const delivered = await messageIn(prisma, message.id, MessageStatus.Delivered, 20_000);
    expect(delivered.handset).toBe('iPhoneOS');
    // Had the report queued behind them, every submit would be done by now.
    const stillWaiting = await queue.getWaitingCount();
    const submitted = (await simulator.stats()).submissions;
    expect(submitted).toBeLessThan(BACKLOG / 2);
    expect(stillWaiting).toBeGreaterThan(BACKLOG / 2);
  }, 60_000);
});
