import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createLogger } from '@mms/config';
import { MessageStatus } from '@mms/contracts';
import type { PrismaService } from '@mms/db';
import { recordTransition } from '@mms/db';
import { suitePrefix } from '../../../test/fixtures';
import { type GatewayHarness, startGateway } from '../../gateway/test/gateway-harness';
import { DeliveryAppModule } from '../src/app.module';
import { loadDeliveryConfig } from '../src/config/delivery.config';
import { basicAuth, deliveryReportReq, messageIn, renderedMessage, testPrisma, until } from './mm7-test-kit';

const DEFAULT_USER = 'mmsc';
const DEFAULT_PASSWORD = 'default-inbound-secret';
const SECOND_USER = 'second-mmsc';
const SECOND_PASSWORD = 'second-inbound-secret';
/** One variable for both apps: the delivery service's connector, with the credentials of its MMSC's reports. */
const MM7_CONNECTORS = JSON.stringify([
  { name: 'second', url: 'http://127.0.0.1:9/mm7', maxPerSecond: 5, inboundUsername: SECOND_USER, inboundPassword: SECOND_PASSWORD },
]);

/**
 * One inbound credential per MMSC connector: a delivery report is stored with the connector
 * whose credentials it came with, and applied only to a message that connector sent. Real
 * gateway (HTTP, outbox) and delivery worker (the report queue), PostgreSQL and Redis.
 */
describe('delivery reports are matched only within the connector that sent the message', () => {
  const prefix = suitePrefix('mm7-conn');
  let gateway: GatewayHarness;
  let delivery: INestApplicationContext;
  let prisma: PrismaService;
  let reportsUrl: string;

  beforeAll(async () => {
    gateway = await startGateway({
      QUEUE_PREFIX: prefix,
      MM7_INBOUND_USERNAME: DEFAULT_USER,
      MM7_INBOUND_PASSWORD: DEFAULT_PASSWORD,
      MM7_CONNECTORS,
      RECONCILE_INTERVAL_MS: '3600000',
      LOG_LEVEL: 'error',
    });
    reportsUrl = `${new URL(gateway.url).origin}/mm7/delivery-reports`;
    const config = loadDeliveryConfig({ ...process.env, QUEUE_PREFIX: prefix, MM7_CONNECTORS, LOG_LEVEL: 'error' });
    delivery = await NestFactory.createApplicationContext(DeliveryAppModule.forRoot(config), { logger: createLogger('delivery', config.LOG_LEVEL, config.LOG_FORMAT) });
    await delivery.init();
    prisma = testPrisma();
  });

  afterAll(async () => {
    await delivery?.close();
    await gateway?.close();
    await prisma?.$disconnect();
  });

  /** A message its connector has submitted, known to the MMSC by a MessageID of its own. */
  async function submittedVia(connector: string) {
    const { message } = await renderedMessage(prisma);
    const mmscMessageId = `88${Date.now()}${Math.floor(Math.random() * 1e6)}`;
    await recordTransition(prisma.pool, {
      messageId: message.id,
      from: [MessageStatus.Rendered],
      to: MessageStatus.Submitted,
      set: { transport: `mm7:${connector}`, carrierMessageId: mmscMessageId },
      detail: { via: 'test fixture' },
    });
    return { message, mmscMessageId };
  }

  const report = (mmscMessageId: string, recipient: string, user: string, password: string) =>
    fetch(reportsUrl, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset="utf-8"', soapaction: '""', authorization: basicAuth(user, password) },
      body: deliveryReportReq({ transactionId: `DR-${mmscMessageId}`, messageId: mmscMessageId, recipient, mmStatus: 'Retrieved', handset: 'iPhoneOS' }),
    });

  const processedReports = (mmscMessageId: string, count: number) =>
    until(
      async () => {
        const rows = await prisma.deliveryReport.findMany({ where: { mmscMessageId, processedAt: { not: null } }, orderBy: { id: 'asc' } });
        return rows.length >= count ? rows : undefined;
      },
      10_000,
      `${count} processed report(s) about ${mmscMessageId}`,
    );

  it("does not apply a report that comes with another connector's credentials, and applies the one from the message's own", async () => {
    const { message, mmscMessageId } = await submittedVia('default');

    // The second connector's MMSC names a MessageID of the default connector's.
    const foreign = await report(mmscMessageId, message.toNumber, SECOND_USER, SECOND_PASSWORD);
    expect(foreign.status).toBe(200); // answered like any report about a MessageID that is not its own
    const [unmatched] = await processedReports(mmscMessageId, 1);
    expect(unmatched).toMatchObject({ connector: 'second', messageId: null });
    const untouched = await prisma.message.findUniqueOrThrow({ where: { id: message.id }, include: { events: { orderBy: { id: 'asc' } } } });
    expect(untouched).toMatchObject({ status: 'SUBMITTED', handset: null });
    expect(untouched.events.map((e) => e.status)).toEqual(['ACCEPTED', 'RENDERED', 'SUBMITTED']);
    expect(await prisma.phoneDevice.findUnique({ where: { phone: message.toNumber } })).toBeNull();

    // The default connector's MMSC reports the same MessageID: that one is applied.
    expect((await report(mmscMessageId, message.toNumber, DEFAULT_USER, DEFAULT_PASSWORD)).status).toBe(200);
    const delivered = await messageIn(prisma, message.id, MessageStatus.Delivered);
    expect(delivered.handset).toBe('iPhoneOS');
    const reports = await processedReports(mmscMessageId, 2);
    expect(reports.map((r) => [r.connector, r.messageId])).toEqual([
      ['second', null],
      ['default', message.id],
    ]);
  });

  it("applies a report of the second connector's MMSC to the second connector's message, and not the default one's", async () => {
    const { message, mmscMessageId } = await submittedVia('second');
    expect((await report(mmscMessageId, message.toNumber, DEFAULT_USER, DEFAULT_PASSWORD)).status).toBe(200);
    expect((await processedReports(mmscMessageId, 1))[0]).toMatchObject({ connector: 'default', messageId: null });
    expect((await prisma.message.findUniqueOrThrow({ where: { id: message.id } })).status).toBe('SUBMITTED');

    expect((await report(mmscMessageId, message.toNumber, SECOND_USER, SECOND_PASSWORD)).status).toBe(200);
    await messageIn(prisma, message.id, MessageStatus.Delivered);
    expect((await processedReports(mmscMessageId, 2))[1]).toMatchObject({ connector: 'second', messageId: message.id });
  });

  it.each([
    ["one connector's user with the other's password", SECOND_USER, DEFAULT_PASSWORD],
    ['a connector name as the user', 'second', SECOND_PASSWORD],
  ])('refuses %s: 401, a Fault, nothing stored', async (_case, user, password) => {
    const { message, mmscMessageId } = await submittedVia('second');
    const response = await report(mmscMessageId, message.toNumber, user, password);
    expect(response.status).toBe(401);
    expect(await response.text()).toContain('<StatusCode>4001</StatusCode>');
    expect(await prisma.deliveryReport.count({ where: { mmscMessageId } })).toBe(0);
  });
});
