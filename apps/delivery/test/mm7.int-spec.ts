import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplicationContext } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { MessageStatus } from '@mms/contracts';
import type { PrismaService } from '@mms/db';
import { decodeBarcodes } from '../../../test/barcode-decoder';
import { suitePrefix } from '../../../test/fixtures';
import { type GatewayHarness, startGateway } from '../../gateway/test/gateway-harness';
import { DeliveryService } from '../src/delivery/delivery.service';
import { ConnectorRateLimitedError, ConnectorRateLimiter } from '../src/transport/mm7/connector-rate-limiter';
import {
  type SimMessage,
  type Simulator,
  basicAuth,
  deliveryQueue,
  deliveryReportReq,
  enqueueSubmit,
  finishedJob,
  messageIn,
  renderedMessage,
  sleep,
  startDeliveryWorker,
  startSimulator,
  testPrisma,
  until,
} from './mm7-test-kit';

const INBOUND_USER = 'mmsc';
const INBOUND_PASSWORD = 'mm7-inbound-secret';
/** The MM7 client gives up after this; the simulator's injected timeout holds answers longer. */
const MM7_TIMEOUT_MS = 500;
/**
 * Retries of these tests: a fixed backoff instead of the production exponential one, short, yet
 * long enough for a test to switch the simulator between two attempts even on a loaded machine.
 */
const QUICK_RETRIES = { attempts: 5, backoff: { type: 'fixed', delay: 600 } } as const;

/**
 * The delivery worker submitting over MM7 to the MMSC simulator, and the simulator's delivery
 * reports coming back through the gateway: three real apps in-process on real ports, real HTTP
 * between them, the run's PostgreSQL database and a Redis prefix of their own.
 */
describe('delivery over MM7: the MMSC simulator and delivery reports through the gateway (real HTTP, PostgreSQL, Redis)', () => {
  const prefix = suitePrefix('mm7');
  let gateway: GatewayHarness;
  let simulator: Simulator;
  let delivery: INestApplicationContext;
  let queue: Queue;
  let prisma: PrismaService;
  let reportsUrl: string;

  const startDelivery = (env: Record<string, string>) => startDeliveryWorker({ QUEUE_PREFIX: prefix, MM7_URL: simulator.mm7Url, ...env });

  beforeAll(async () => {
    gateway = await startGateway({
      QUEUE_PREFIX: prefix,
      MM7_INBOUND_USERNAME: INBOUND_USER,
      MM7_INBOUND_PASSWORD: INBOUND_PASSWORD,
      RECONCILE_INTERVAL_MS: '3600000',
      LOG_LEVEL: 'error',
    });
    reportsUrl = `${new URL(gateway.url).origin}/mm7/delivery-reports`;
    simulator = await startSimulator({
      MMSC_SIM_DLR_URL: reportsUrl,
      MMSC_SIM_DLR_USERNAME: INBOUND_USER,
      MMSC_SIM_DLR_PASSWORD: INBOUND_PASSWORD,
      // Long enough for the worker to record SUBMITTED first. A report that comes before (set the
      // simulator's latencyMs 300 and dlrDelayMs 0) is applied as "not ours": processed with no
      // message, and the message stays SUBMITTED for good (reports/delivery-reports.service.ts).
      MMSC_SIM_DLR_DELAY_MS: '700',
    });
    delivery = await startDelivery({ MM7_TIMEOUT_MS: String(MM7_TIMEOUT_MS) });
    queue = deliveryQueue(prefix);
    prisma = testPrisma();
  });

  afterAll(async () => {
    await delivery?.close();
    await queue?.close();
    await simulator?.app.close();
    await gateway?.close();
    await prisma?.$disconnect();
  });

  beforeEach(async () => {
    await simulator.reset();
  });

  /** The message and its events as they are now (a job's SUBMITTED is committed before the job completes). */
  const messageNow = (id: number) => prisma.message.findUniqueOrThrow({ where: { id }, include: { events: { orderBy: { id: 'asc' } } } });
  const reportsAbout = (mmscMessageId: string) => prisma.deliveryReport.findMany({ where: { mmscMessageId }, orderBy: { id: 'asc' } });
  const processedReport = (mmscMessageId: string) =>
    until(
      async () => (await reportsAbout(mmscMessageId)).find((r) => r.processedAt !== null),
      10_000,
      `the delivery report about ${mmscMessageId} to be processed`,
    );
  /** Waits until the simulator holds `count` SubmitReqs with this TransactionID. */
  const submitReqs = (transactionId: string, count: number) =>
    until(
      async () => {
        const received = await simulator.messagesOf(transactionId);
        return received.length >= count ? received : undefined;
      },
      10_000,
      `${count} SubmitReq(s) for ${transactionId}`,
    );

  describe('a rendered message', () => {
    it('is submitted over MM7 (SUBMITTED, mm7:default, the MMSC MessageID), its barcode scans at the MMSC, and the report makes it DELIVERED with the handset', async () => {
      const { message, imageKey, png } = await renderedMessage(prisma);
      const { trackingId } = message;

      await enqueueSubmit(queue, trackingId, imageKey);
      const { job, state } = await finishedJob(queue, trackingId);
      expect(state).toBe('completed');
      expect(job.returnvalue).toEqual({ submitted: true });

      // The MMSC's side: one SubmitReq, accepted, with the tracking id as TransactionID.
      const [received, ...others] = await simulator.messagesOf(trackingId);
      expect(others).toEqual([]);
      expect(received).toMatchObject({
        status: 'accepted',
        statusCode: 1000,
        repeat: false,
        from: '60856',
        to: message.toNumber,
        subject: 'Your ticket',
        mm7Version: '6.8.0',
        deliveryReportRequested: true,
        allowAdaptations: false,
      });
      expect(received.messageId).toMatch(/^\d{18}$/);
      expect(received.parts.map((p) => p.contentType)).toEqual([
        'application/smil; charset=utf-8',
        'text/plain; charset=utf-8',
        'image/png',
        'text/plain; charset=utf-8',
      ]);
      const barcodePart = received.parts.find((p) => p.contentType === 'image/png') as SimMessage['parts'][number];
      const barcode = await simulator.part(received.id, barcodePart.index);
      expect(barcode.contentType).toBe('image/png');
      expect(barcode.bytes.equals(png)).toBe(true);
      expect(await decodeBarcodes(barcode.bytes)).toEqual([message.barcodeValue]);

      // Our side: SUBMITTED with where it went and the MMSC's MessageID.
      const submitted = await messageNow(message.id);
      expect(submitted).toMatchObject({ transport: 'mm7:default', carrierMessageId: received.messageId, failureReason: null });
      expect(submitted.events.find((e) => e.status === 'SUBMITTED')?.detail).toMatchObject({
        transport: 'mm7:default',
        reference: received.messageId,
        parts: 4,
      });

      // The simulator's DeliveryReportReq reaches the gateway, which stores it; the worker applies it.
      const delivered = await messageIn(prisma, message.id, MessageStatus.Delivered);
      expect(delivered.handset).toBe('iPhoneOS');
      expect(delivered.events.map((e) => e.status)).toEqual(['ACCEPTED', 'RENDERED', 'SUBMITTED', 'DELIVERED']);
      const report = await processedReport(received.messageId as string);
      expect(report).toMatchObject({
        mmStatus: 'Retrieved',
        recipient: message.toNumber,
        sender: '60856',
        handset: 'iPhoneOS',
        messageId: message.id,
      });
      expect(report.transactionId).toMatch(/^sim-dr-\d+$/);
      expect(delivered.events[3].detail).toMatchObject({ mmStatus: 'Retrieved', handset: 'iPhoneOS', mmscMessageId: received.messageId, reportId: report.id });
      expect(await prisma.phoneDevice.findUnique({ where: { phone: message.toNumber } })).toMatchObject({ device: 'iPhoneOS', source: 'delivery-report' });
      // ... and the gateway's DeliveryReportRsp was 1000 as far as the MMSC is concerned.
      const [afterReport] = await simulator.messagesOf(trackingId);
      expect(afterReport.deliveryReports).toEqual([expect.objectContaining({ state: 'delivered', statusCode: 1000, attempts: 1 })]);
    });

    it.each([
      ['Rejected', MessageStatus.Rejected],
      ['Expired', MessageStatus.Expired],
    ])('ends %s -> %s when the MMSC reports so', async (mmStatus, final) => {
      await simulator.configure({ dlrStatus: mmStatus });
      const { message, imageKey } = await renderedMessage(prisma);
      await enqueueSubmit(queue, message.trackingId, imageKey);

      const ended = await messageIn(prisma, message.id, final);
      expect(ended.events.map((e) => e.status)).toEqual(['ACCEPTED', 'RENDERED', 'SUBMITTED', final]);
      expect(ended.events[3].detail).toMatchObject({ mmStatus, mmscMessageId: ended.carrierMessageId });
      expect(ended.handset).toBe('iPhoneOS');
      expect(await prisma.phoneDevice.findUnique({ where: { phone: message.toNumber } })).toMatchObject({ device: 'iPhoneOS' });
      expect(await reportsAbout(ended.carrierMessageId as string)).toEqual([expect.objectContaining({ mmStatus, messageId: message.id })]);
    });

    it('applies a delivery report that overtakes our SUBMITTED record (an MMSC reporting at once)', async () => {
      // The report leaves as the SubmitRsp does and the answer is slowed: it reaches us first.
      await simulator.configure({ latencyMs: 300, dlrDelayMs: 0 });
      const { message, imageKey } = await renderedMessage(prisma);
      await enqueueSubmit(queue, message.trackingId, imageKey);
      const ended = await messageIn(prisma, message.id, MessageStatus.Delivered);
      expect(ended.events.map((e) => e.status)).toEqual(['ACCEPTED', 'RENDERED', 'SUBMITTED', 'DELIVERED']);
      expect(await reportsAbout(ended.carrierMessageId as string)).toEqual([expect.objectContaining({ mmStatus: 'Retrieved', messageId: message.id })]);
    });
  });

  describe('MM7 status classes and transport failures', () => {
    // Delivery reports are not what these tests look at: none, so SUBMITTED stays SUBMITTED.
    beforeEach(() => simulator.configure({ dlrWhen: 'never' }));

    it.each([['rsp' as const], ['fault' as const]])(
      'fails at once on a client error (2004, answered as %s): one attempt, FAILED with the MMSC code and text',
      async (errorStyle) => {
        await simulator.configure({ statusCode: 2004, errorStyle });
        const { message, imageKey } = await renderedMessage(prisma);
        await enqueueSubmit(queue, message.trackingId, imageKey, QUICK_RETRIES);

        const { job, state } = await finishedJob(queue, message.trackingId);
        expect(state).toBe('failed');
        expect(job.attemptsMade).toBe(1);
        expect(job.failedReason).toBe('MM7 default: 2004 Multimedia content refused');

        const failed = await messageIn(prisma, message.id, MessageStatus.Failed);
        expect(failed.failureReason).toBe('delivery: MM7 default: 2004 Multimedia content refused');
        expect(failed.events.map((e) => e.status)).toEqual(['ACCEPTED', 'RENDERED', 'FAILED']);
        expect(failed.carrierMessageId).toBeNull();
        expect(await simulator.messagesOf(message.trackingId)).toEqual([
          expect.objectContaining({ status: 'rejected', statusCode: 2004, statusText: 'Multimedia content refused', injected: 'status' }),
        ]);
        expect(await simulator.stats()).toMatchObject({ submissions: 1, rejected: 1, accepted: 0, repeats: 0 });
      },
    );

    it.each([
      [3000, 'rsp' as const, 'Server error'],
      [4006, 'fault' as const, 'Service unavailable'],
    ])('retries a %s (answered as %s) and submits once the MMSC is back: no accepted repeat', async (statusCode, errorStyle, text) => {
      await simulator.configure({ statusCode, errorStyle });
      const { message, imageKey } = await renderedMessage(prisma);
      await enqueueSubmit(queue, message.trackingId, imageKey, QUICK_RETRIES);

      // Two refusals, then the MMSC recovers before the third attempt.
      await submitReqs(message.trackingId, 2);
      await simulator.configure({ statusCode: null });
      const { job, state } = await finishedJob(queue, message.trackingId);
      expect(state).toBe('completed');
      expect(job.attemptsMade).toBe(3);
      expect(job.stacktrace).toHaveLength(2);

      const received = await simulator.messagesOf(message.trackingId);
      expect(received.map((m) => [m.status, m.statusCode, m.repeat])).toEqual([
        ['rejected', statusCode, false],
        ['rejected', statusCode, false],
        ['accepted', 1000, false],
      ]);
      expect(received[0].statusText).toBe(text);
      expect(await simulator.stats()).toMatchObject({ submissions: 3, rejected: 2, accepted: 1, repeats: 0 });
      const submitted = await messageNow(message.id);
      expect(submitted).toMatchObject({ status: 'SUBMITTED', transport: 'mm7:default', carrierMessageId: received[2].messageId, failureReason: null });
      expect(submitted.events.map((e) => e.status)).toEqual(['ACCEPTED', 'RENDERED', 'SUBMITTED']);
    });

    it('fails the message with the last reason once a server error outlasts the attempts', async () => {
      await simulator.configure({ statusCode: 3000 });
      const { message, imageKey } = await renderedMessage(prisma);
      await enqueueSubmit(queue, message.trackingId, imageKey, { attempts: 2, backoff: { type: 'fixed', delay: 100 } });

      const { job, state } = await finishedJob(queue, message.trackingId);
      expect(state).toBe('failed');
      expect(job.attemptsMade).toBe(2);
      const failed = await messageIn(prisma, message.id, MessageStatus.Failed);
      expect(failed.failureReason).toBe('delivery: MM7 default: 3000 Server error');
      expect(await simulator.stats()).toMatchObject({ submissions: 2, rejected: 2, accepted: 0 });
    });

    it('retries after an MM7 timeout: the MMSC took the first copy, so the retry is the one accepted repeat (the documented window)', async () => {
      await simulator.configure({ timeoutMs: 3000, dlrWhen: 'requested' });
      const { message, imageKey } = await renderedMessage(prisma);
      await enqueueSubmit(queue, message.trackingId, imageKey, QUICK_RETRIES);

      // The MMSC has taken the first SubmitReq and holds its answer past MM7_TIMEOUT_MS.
      const [first] = await submitReqs(message.trackingId, 1);
      await simulator.configure({ timeoutMs: 0 });
      const { job, state } = await finishedJob(queue, message.trackingId);
      expect(state).toBe('completed');
      expect(job.attemptsMade).toBe(2);
      expect(job.stacktrace?.[0]).toMatch(/MM7 default: no answer/);

      const received = await simulator.messagesOf(message.trackingId);
      expect(received.map((m) => [m.status, m.injected, m.repeat, m.repeatOf])).toEqual([
        ['accepted', 'timeout', false, null],
        ['accepted', null, true, first.id],
      ]);
      expect(await simulator.stats()).toMatchObject({ submissions: 2, accepted: 2, repeats: 1, failuresInjected: { timeout: 1, total: 1 } });
      const second = received[1];
      const submitted = await messageNow(message.id);
      expect(submitted.carrierMessageId).toBe(second.messageId);
      expect(submitted.events.filter((e) => e.status === 'SUBMITTED')).toHaveLength(1);

      // Both copies reach the handset: the report about the answered one delivers the message,
      // the one about the copy we never heard of stays unmatched.
      const delivered = await messageIn(prisma, message.id, MessageStatus.Delivered);
      expect(delivered.events.map((e) => e.status)).toEqual(['ACCEPTED', 'RENDERED', 'SUBMITTED', 'DELIVERED']);
      expect(await processedReport(first.messageId as string)).toMatchObject({ messageId: null, mmStatus: 'Retrieved' });
    });

    it('retries after a dropped connection: the MMSC kept nothing, so no repeat', async () => {
      await simulator.configure({ dropPercent: 100 });
      const { message, imageKey } = await renderedMessage(prisma);
      await enqueueSubmit(queue, message.trackingId, imageKey, QUICK_RETRIES);

      await until(async () => ((await simulator.stats()).failuresInjected.drop >= 1 ? true : undefined), 10_000, 'the first connection to be dropped');
      await simulator.configure({ dropPercent: 0 });
      const { job, state } = await finishedJob(queue, message.trackingId);
      expect(state).toBe('completed');
      expect(job.attemptsMade).toBe(2);
      expect(job.stacktrace?.[0]).toMatch(/MM7 default: no answer/);

      const received = await simulator.messagesOf(message.trackingId);
      expect(received.map((m) => [m.status, m.repeat])).toEqual([['accepted', false]]);
      expect(await simulator.stats()).toMatchObject({ submissions: 2, accepted: 1, repeats: 0, failuresInjected: { drop: 1, total: 1 } });
      expect(await messageNow(message.id)).toMatchObject({ status: 'SUBMITTED', carrierMessageId: received[0].messageId });
    });

    it('submits once when the job runs again after SUBMITTED (DeliveryService.deliver twice)', async () => {
      const { message, imageKey } = await renderedMessage(prisma);
      const service = delivery.get(DeliveryService);
      expect(await service.deliver(message.trackingId, imageKey)).toEqual({ submitted: true });
      expect(await service.deliver(message.trackingId, imageKey)).toEqual({ submitted: false });
      expect(await simulator.stats()).toMatchObject({ submissions: 1, accepted: 1, repeats: 0 });
    });
  });

  describe('an MMSC that accepts without a MessageID', () => {
    it('records SUBMITTED with a warning and no MessageID, sends once and never fails the message', async () => {
      // A second MMSC over real HTTP: answers every SubmitReq 1000 Success with no MessageID.
      const received: string[] = [];
      const mmsc = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          received.push(Buffer.concat(chunks).toString('utf8'));
          res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
          res.end(
            '<?xml version="1.0"?><env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"><env:Body>' +
              '<SubmitRsp xmlns="http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4">' +
              '<MM7Version>6.8.0</MM7Version><Status><StatusCode>1000</StatusCode><StatusText>Success</StatusText></Status>' +
              '</SubmitRsp></env:Body></env:Envelope>',
          );
        });
      });
      await new Promise<void>((resolve) => mmsc.listen(0, '127.0.0.1', resolve));
      const otherPrefix = suitePrefix('mm7-noid');
      const worker = await startDelivery({ QUEUE_PREFIX: otherPrefix, MM7_URL: `http://127.0.0.1:${(mmsc.address() as AddressInfo).port}/mm7` });
      const otherQueue = deliveryQueue(otherPrefix);
      try {
        const { message, imageKey } = await renderedMessage(prisma);
        await enqueueSubmit(otherQueue, message.trackingId, imageKey, QUICK_RETRIES);
        const { job, state } = await finishedJob(otherQueue, message.trackingId);
        expect(state).toBe('completed');
        expect(job.attemptsMade).toBe(1);
        expect(received).toHaveLength(1);
        expect(received[0]).toContain(`>${message.trackingId}</mm7:TransactionID>`);
        const submitted = await messageIn(prisma, message.id, MessageStatus.Submitted);
        expect(submitted).toMatchObject({ transport: 'mm7:default', carrierMessageId: null });
        expect(submitted.events.at(-1)?.detail).toMatchObject({ reference: null, warning: expect.stringMatching(/without a MessageID/) });
      } finally {
        await worker.close();
        await otherQueue.close();
        await new Promise((resolve) => mmsc.close(resolve));
      }
    });
  });

  describe('delivery reports at the gateway', () => {
    const post = (body: string, headers: Record<string, string>) =>
      fetch(reportsUrl, { method: 'POST', headers: { 'content-type': 'text/xml; charset="utf-8"', soapaction: '""', ...headers }, body });
    const unknownMessageId = () => `9${Date.now()}${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`;

    it('answers DeliveryReportRsp 1000 to a report about a MessageID that is not ours, stores it and processes it as unmatched', async () => {
      const mmscMessageId = unknownMessageId();
      const response = await post(deliveryReportReq({ transactionId: 'DR-unknown-1', messageId: mmscMessageId, recipient: '16505550100', mmStatus: 'Retrieved', handset: 'motol7c' }), {
        authorization: basicAuth(INBOUND_USER, INBOUND_PASSWORD),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/xml/);
      const xml = await response.text();
      expect(xml).toContain('<DeliveryReportRsp');
      expect(xml).toContain('<StatusCode>1000</StatusCode>');
      expect(xml).toMatch(/<mm7:TransactionID [^>]*>DR-unknown-1<\/mm7:TransactionID>/);

      const report = await processedReport(mmscMessageId);
      expect(report).toMatchObject({ messageId: null, mmStatus: 'Retrieved', recipient: '16505550100', handset: 'motol7c', transactionId: 'DR-unknown-1' });
      // Not ours: no handset is remembered for the number.
      expect(await prisma.phoneDevice.findUnique({ where: { phone: '16505550100' } })).toBeNull();
    });

    it('answers a REL-5 MMSC in REL-5 (its namespace and MM7Version)', async () => {
      const rel5 = deliveryReportReq({ transactionId: 'DR-rel5', messageId: unknownMessageId(), recipient: '16505550100', mmStatus: 'Retrieved' })
        .replaceAll('REL-6-MM7-1-4', 'REL-5-MM7-1-0')
        .replace('<MM7Version>6.8.0</MM7Version>', '<MM7Version>5.3.0</MM7Version>');
      expect(rel5).toContain('<MM7Version>5.3.0</MM7Version>');
      const xml = await (await post(rel5, { authorization: basicAuth(INBOUND_USER, INBOUND_PASSWORD) })).text();
      expect(xml).toContain('<DeliveryReportRsp xmlns="http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-5-MM7-1-0">');
      expect(xml).toContain('<MM7Version>5.3.0</MM7Version>');
      expect(xml).not.toContain('REL-6');
    });

    it.each([
      ['no credentials', {}],
      ['a wrong password', { authorization: basicAuth(INBOUND_USER, 'not-the-password') }],
      ['a wrong user', { authorization: basicAuth('someone', INBOUND_PASSWORD) }],
    ])('refuses a report with %s: 401 and nothing stored', async (_case, headers: Record<string, string>) => {
      const mmscMessageId = unknownMessageId();
      const response = await post(deliveryReportReq({ transactionId: 'DR-auth', messageId: mmscMessageId, recipient: '16505550100', mmStatus: 'Retrieved' }), headers);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic /);
      expect(await response.text()).toContain('<StatusCode>4001</StatusCode>');
      expect(await reportsAbout(mmscMessageId)).toEqual([]);
    });

    it.each([
      ['not XML', (_id: string) => 'hello'],
      ['XML cut short', (id: string) => deliveryReportReq({ transactionId: 'DR-bad', messageId: id, recipient: '16505550100', mmStatus: 'Retrieved' }).slice(0, 400)],
      ['no MMStatus', (id: string) => deliveryReportReq({ transactionId: 'DR-bad', messageId: id, recipient: '16505550100', mmStatus: 'Retrieved' }).replace('<MMStatus>Retrieved</MMStatus>', '')],
      ['another operation', (id: string) => deliveryReportReq({ transactionId: 'DR-bad', messageId: id, recipient: '16505550100', mmStatus: 'Retrieved' }).replace(/DeliveryReportReq/g, 'ReadReplyReq')],
    ])('answers a malformed report (%s) with a SOAP Fault (400, never a 500) and stores nothing', async (_case, body) => {
      const mmscMessageId = unknownMessageId();
      const response = await post(body(mmscMessageId), { authorization: basicAuth(INBOUND_USER, INBOUND_PASSWORD) });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^text\/xml/);
      const xml = await response.text();
      expect(xml).toContain('<env:Fault>');
      expect(xml).toContain('<StatusCode>4004</StatusCode>');
      expect(await reportsAbout(mmscMessageId)).toEqual([]);
      expect(await prisma.deliveryReport.count({ where: { transactionId: 'DR-bad' } })).toBe(0);
    });
  });

  describe('the carrier rate limit', () => {
    /*
     * The limiter (transport/mm7/connector-rate-limiter.ts) counts SubmitReqs per connector per
     * calendar second in Redis, shared by every delivery process. What it guarantees: at most
     * MM7_MAX_PER_SECOND takes in one calendar second, so at most twice that in any second-long
     * interval (the end of one window and the start of the next). Six SubmitReqs at 2 per second
     * therefore take more than one second, and between about 1 and 2 s depending on where the
     * burst starts within the second: not the "at least ~2 s" of a sliding window (see the report).
     * Asserted on the simulator's receivedAt, a few ms after each take, hence the tolerance.
     */
    it('takes the slot before composing: a submit held back by the rate has composed nothing', async () => {
      const slotPrefix = suitePrefix('mm7-slot');
      const worker = await startDelivery({ QUEUE_PREFIX: slotPrefix, MM7_MAX_PER_SECOND: '1' });
      const limiter = new ConnectorRateLimiter(process.env.REDIS_URL as string, slotPrefix);
      try {
        const { message, imageKey } = await renderedMessage(prisma);
        const service = worker.get(DeliveryService);
        const composing = jest.spyOn(service as unknown as { fitBarcode: () => Promise<unknown> }, 'fitBarcode');
        // This second's only slot of the default connector goes elsewhere.
        await limiter.take('default', 1);
        await expect(service.deliver(message.trackingId, imageKey)).rejects.toBeInstanceOf(ConnectorRateLimitedError);
        expect(composing).not.toHaveBeenCalled();
        expect(await simulator.messagesOf(message.trackingId)).toEqual([]);
        // Once the window has moved on, the same message composes and goes.
        await sleep(1100);
        expect(await service.deliver(message.trackingId, imageKey)).toEqual({ submitted: true });
        expect(composing).toHaveBeenCalledTimes(1);
      } finally {
        limiter.close();
        await worker.close();
      }
    });

    it('holds MM7_MAX_PER_SECOND=2 across two delivery processes on one queue, spending no attempt on the wait', async () => {
      const ratePrefix = suitePrefix('mm7-rate');
      await simulator.configure({ dlrWhen: 'never' });
      const env = { QUEUE_PREFIX: ratePrefix, MM7_MAX_PER_SECOND: '2', DELIVERY_CONCURRENCY: '4' };
      const workers = [await startDelivery(env), await startDelivery(env)];
      const rateQueue = deliveryQueue(ratePrefix);
      try {
        expect(await until(async () => ((await rateQueue.getWorkersCount()) === 2 ? 2 : undefined), 5000, 'two workers')).toBe(2);
        const messages = await Promise.all(Array.from({ length: 6 }, () => renderedMessage(prisma)));
        await Promise.all(messages.map(({ message, imageKey }) => enqueueSubmit(rateQueue, message.trackingId, imageKey)));

        const jobs = [];
        for (const { message } of messages) {
          const { job, state } = await finishedJob(rateQueue, message.trackingId, 15_000);
          expect(state).toBe('completed');
          // Held back for the next second without an attempt spent (moved to delayed, not failed).
          expect(job.attemptsMade).toBe(1);
          expect(job.stacktrace ?? []).toEqual([]);
          jobs.push(job);
        }
        // How many jobs met the limiter depends on how fast a loaded machine starts them; what the
        // limiter guarantees is the spacing below, and that a wait never costs an attempt (above).
        expect(jobs).toHaveLength(6);

        const received = (await Promise.all(messages.map(({ message }) => simulator.messagesOf(message.trackingId)))).flat();
        expect(received).toHaveLength(6);
        expect(received.every((m) => m.status === 'accepted' && !m.repeat)).toBe(true);
        const times = received.map((m) => Date.parse(m.receivedAt)).sort((a, b) => a - b);
        // Five SubmitReqs need three calendar seconds: never within (much less than) one second.
        expect(times[4] - times[0]).toBeGreaterThanOrEqual(900);
        expect(times[5] - times[1]).toBeGreaterThanOrEqual(900);
        expect(times[5] - times[0]).toBeGreaterThanOrEqual(900);
      } finally {
        await Promise.all(workers.map((w) => w.close()));
        await rateQueue.close();
      }
    }, 30_000);
  });
});
