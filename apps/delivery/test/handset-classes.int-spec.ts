import type { INestApplicationContext } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { escapeXmlText } from '@mms/contracts';
import type { PrismaService } from '@mms/db';
import { decodeBarcodes } from '../../../test/barcode-decoder';
import { responseField } from '../../../test/docs-examples';
import { suitePrefix, uniquePhone } from '../../../test/fixtures';
import { type GatewayHarness, startGateway } from '../../gateway/test/gateway-harness';
import { pngSize } from '../src/handset/image-size';
import { type SimMessage, type Simulator, deliveryQueue, enqueueSubmit, renderedMessage, startBarcodeWorker, startDeliveryWorker, startSimulator, testPrisma, until } from './mm7-test-kit';

/** The tickets of issue 10: each too large for the old 640x480 classes, each fits 1600x1200. */
const TICKETS = [
  { label: 'GS1-128', databaseId: 17870, value: '(01)09501101530003(10)AB12345' },
  { label: 'Code 128 of 40 characters', databaseId: 17865, value: 'Event2024/Section-B/Row-12/Seat-34/Adult' },
  {
    label: 'PDF417 of 300 bytes',
    databaseId: 17863,
    value: Array.from({ length: 20 }, (_, i) => `SEC${i}|ROW-${i}|SEAT:${i * 7}`).join('|').padEnd(300, 'X'),
  },
] as const;

/**
 * A ticket from each of the other demo symbology databases (prisma/seed-world.ts), as partners
 * send them: every one must reach a smartphone scannable. UPC-A reads back as the EAN-13 with a
 * leading zero (the same bars, scan-corpus.ts).
 */
const OTHER_DEMO_TICKETS: ReadonlyArray<{ label: string; databaseId: number; value: string; readsAs?: string }> = [
  { label: 'QR Code', databaseId: 17861, value: 'https://tickets.example.com/t/8f14e45fceea167a5a36dedd4bea2543?seat=B12&gate=4' },
  { label: 'Aztec', databaseId: 17862, value: 'M1DOE/JOHN            E1AB2C3 SFOJFKUA 0123 123Y012A0001 100' },
  { label: 'Data Matrix', databaseId: 17864, value: 'TKT-2026-000123456789-GATE-B' },
  { label: 'Code 39', databaseId: 17866, value: 'TICKET-2026-12345' },
  { label: 'EAN-13', databaseId: 17867, value: '4006381333931' },
  { label: 'UPC-A', databaseId: 17868, value: '036000291452', readsAs: '0036000291452' },
  { label: 'ITF-14', databaseId: 17869, value: '10012345678902' },
];

/** User-assigned ISO 3166 codes no other suite routes: one per extra connector below. */
const TIGHT_COUNTRY = 'XS';
const TINY_COUNTRY = 'XT';

/**
 * Handset classes and carrier limits on the real fleet: the partner's XML request into the
 * gateway, the barcode worker rendering from the seeded symbology databases, the delivery worker
 * fitting the barcode to the handset's class and submitting over MM7 to the MMSC simulator, whose
 * stored message must scan as the exact value. All in-process on real ports, the run's PostgreSQL
 * database and a Redis prefix of their own.
 */
describe('handset classes and carrier limits: gateway -> barcode -> delivery -> MMSC simulator', () => {
  const prefix = suitePrefix('handsets');
  let gateway: GatewayHarness;
  let simulator: Simulator;
  let barcode: INestApplicationContext;
  let delivery: INestApplicationContext;
  let queue: Queue;
  let prisma: PrismaService;
  let routeIds: number[] = [];

  beforeAll(async () => {
    // The sweeps would hand this suite rows other suites left in the shared database.
    gateway = await startGateway({ QUEUE_PREFIX: prefix, OUTBOX_SWEEP_INTERVAL_MS: '600000', RECONCILE_INTERVAL_MS: '3600000', LOG_LEVEL: 'error' });
    simulator = await startSimulator({});
    await simulator.configure({ dlrWhen: 'never' });
    prisma = testPrisma();
    queue = deliveryQueue(prefix);
    routeIds = await Promise.all(
      [
        { country: TIGHT_COUNTRY, connector: 'tight' },
        { country: TINY_COUNTRY, connector: 'tiny' },
      ].map(async (data) => (await prisma.carrierRoute.create({ data })).id),
    );

    barcode = await startBarcodeWorker({ QUEUE_PREFIX: prefix });
    // The default connector configures no limits (the defaults: Content Rich for unknown
    // handsets, no carrier cap); two more carry a carrier's own.
    delivery = await startDeliveryWorker({
      QUEUE_PREFIX: prefix,
      MM7_URL: simulator.mm7Url,
      MM7_CONNECTORS: JSON.stringify([
        { name: 'tight', url: simulator.mm7Url, maxMessageBytes: 100_000 },
        { name: 'tiny', url: simulator.mm7Url, maxMessageBytes: 1024, unknownHandsetClass: 'video-rich' },
      ]),
    });
  });

  afterAll(async () => {
    await delivery?.close();
    await barcode?.close();
    await gateway?.close();
    await queue?.close();
    await simulator?.app.close();
    await prisma?.carrierRoute.deleteMany({ where: { id: { in: routeIds } } });
    await prisma?.$disconnect();
  });

  /** The partner's sendMMSBarcode for the demo account's ticket template, as API.md writes it. */
  async function send(ticket: { databaseId: number; value: string }, device: string | null): Promise<string> {
    const { status, xml } = await gateway.post(
      `<REQUEST><ACTION>sendMMSBarcode</ACTION><API_KEY>qTFkykO9JTfahCOqJ0V2Wf5Cg1t8iWlZ</API_KEY>` +
        `<TO>${uniquePhone()}</TO><FROM>60856</FROM><DATABASEID>${ticket.databaseId}</DATABASEID>` +
        `<BARCODEID>${escapeXmlText(ticket.value)}</BARCODEID><MMSID>35674</MMSID>` +
        `${device === null ? '' : `<DEVICE>${escapeXmlText(device)}</DEVICE>`}</REQUEST>`,
      'text/xml',
    );
    expect(status).toBe(200);
    expect(responseField(xml, 'STATUS')).toBe('Success');
    return responseField(xml, 'TRACKINGID') as string;
  }

  /** The message once delivery is done with it: SUBMITTED or FAILED, with its events. */
  const settled = (where: { trackingId: string } | { id: number }) =>
    until(
      async () => {
        const message = await prisma.message.findUniqueOrThrow({ where, include: { events: { orderBy: { id: 'asc' } } } });
        return message.status === 'SUBMITTED' || message.status === 'FAILED' ? message : undefined;
      },
      20_000,
      `message ${JSON.stringify(where)} to be SUBMITTED or FAILED`,
    );

  /** The one SubmitReq the simulator holds for the message, and its barcode image as stored. */
  async function storedBarcode(trackingId: string): Promise<{ received: SimMessage; image: Buffer }> {
    const [received, ...others] = await simulator.messagesOf(trackingId);
    expect(others).toEqual([]);
    expect(received).toMatchObject({ status: 'accepted', statusCode: 1000 });
    const imagePart = received.parts.find((p) => p.contentType === 'image/png') as SimMessage['parts'][number];
    const { bytes } = await simulator.part(received.id, imagePart.index);
    return { received, image: bytes };
  }

  describe.each([
    ['a smartphone (DEVICE iPhone)', 'iPhone'],
    ['an unknown handset (no DEVICE, none reported)', null],
  ])('to %s', (_, device) => {
    it.each(TICKETS)('the $label ticket goes out as Content Rich and scans as exactly its value', async (ticket) => {
      const trackingId = await send(ticket, device);

      const message = await settled({ trackingId });
      expect(message.failureReason).toBeNull();
      expect(message.events.map((e) => e.status)).toEqual(['ACCEPTED', 'RENDERED', 'SUBMITTED']);
      expect(message.events[2].detail).toMatchObject({ transport: 'mm7:default', handsetProfile: 'content-rich', maxMessageBytes: 600_000 });

      const { image } = await storedBarcode(trackingId);
      const size = pngSize(image);
      expect(size?.width).toBeLessThanOrEqual(1600);
      expect(size?.height).toBeLessThanOrEqual(1200);
      expect(await decodeBarcodes(image)).toEqual([ticket.value]);
    });
  });

  it.each(OTHER_DEMO_TICKETS)('delivers the $label demo database ticket to a smartphone, scanning as its value', async (ticket) => {
    const trackingId = await send(ticket, 'iPhone');
    const message = await settled({ trackingId });
    expect(message.failureReason).toBeNull();
    expect(message.events.map((e) => e.status)).toEqual(['ACCEPTED', 'RENDERED', 'SUBMITTED']);
    const { image } = await storedBarcode(trackingId);
    expect(await decodeBarcodes(image)).toEqual([ticket.readsAs ?? ticket.value]);
  });

  it('fails, with the reason, a ticket that cannot fit an Image Basic phone (DEVICE Nokia S40): nothing reaches the MMSC', async () => {
    const trackingId = await send(TICKETS[1], 'Nokia S40');

    const message = await settled({ trackingId });
    expect(message.status).toBe('FAILED');
    expect(message.failureReason).toMatch(
      /^delivery: handset profile image-basic: CODE128 value of 40 characters does not fit a 160x120 handset image: \d+x\d+ at 3 px per module/,
    );
    expect(message.events.map((e) => e.status)).toEqual(['ACCEPTED', 'RENDERED', 'FAILED']);
    expect(await simulator.messagesOf(trackingId)).toEqual([]);
  });

  describe("a carrier connector's own limits (the recipient's route names the connector)", () => {
    /** A rendered QR ticket (the MM7 kit's fixture) to the route's country, with the DEVICE given. */
    async function submittedTo(country: string, device: string | null) {
      const { message, imageKey } = await renderedMessage(prisma);
      await prisma.message.update({ where: { id: message.id }, data: { toCountry: country, device } });
      await enqueueSubmit(queue, message.trackingId, imageKey, { attempts: 1 });
      return { message, settled: await settled({ id: message.id }) };
    }

    it('win over the class: a smartphone on a connector taking 100 KB is composed for 100 KB', async () => {
      const { message, settled: submitted } = await submittedTo(TIGHT_COUNTRY, 'iPhone');
      expect(submitted.failureReason).toBeNull();
      expect(submitted.events[2].detail).toMatchObject({ transport: 'mm7:tight', handsetProfile: 'content-rich', maxMessageBytes: 100_000 });
      const { received, image } = await storedBarcode(message.trackingId);
      expect(received.parts.reduce((sum, p) => sum + p.size, 0)).toBeLessThanOrEqual(100_000);
      expect(await decodeBarcodes(image)).toEqual([message.barcodeValue]);
    });

    it("fail a message over the connector's limit, naming it and the class it gives unknown handsets", async () => {
      const { message, settled: failed } = await submittedTo(TINY_COUNTRY, null);
      expect(failed.status).toBe('FAILED');
      expect(failed.failureReason).toMatch(/^delivery: the MMS is \d+ bytes, over the 1024 bytes connector tiny takes \(handset profile video-rich\)$/);
      expect(await simulator.messagesOf(message.trackingId)).toEqual([]);
    });
  });
});
