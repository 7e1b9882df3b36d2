import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { UnrecoverableError } from 'bullmq';
import { createLogger } from '@mms/config';
import { trackingIdOf } from '@mms/contracts';
import type { PrismaService } from '@mms/db';
import { PermanentJobError, sortJobFailure } from '@mms/queue';
import { decodeBarcodes } from '../../../test/barcode-decoder';
import { type MessageFixture, createDemoMessage, suitePrefix } from '../../../test/fixtures';
import { DeliveryAppModule } from '../src/app.module';
import { loadDeliveryConfig } from '../src/config/delivery.config';
import { renderedMessage as renderedMessageOf, testPrisma } from './mm7-test-kit';
import { DeliveryService } from '../src/delivery/delivery.service';

interface OutboxMeta {
  trackingId: string;
  from: string;
  to: string;
  subject: string;
  writtenAt: string;
  parts: Array<{ contentId: string; contentType: string; location: string; size: number }>;
}

/**
 * The delivery worker in-process on real PostgreSQL and Redis, with the outbox transport writing
 * into a throw-away folder: composition from the template, CUSTOMTEXT / CUSTOMSUBJECT / DATA,
 * the SUBMITTED step, and which failures are retried.
 */
describe('delivery: composing and submitting to the outbox (real PostgreSQL and Redis)', () => {
  const prefix = suitePrefix('delivery');
  let outboxDir: string;
  let app: INestApplicationContext;
  let service: DeliveryService;
  let prisma: PrismaService;

  beforeAll(async () => {
    outboxDir = await mkdtemp(join(tmpdir(), 'mmsgw-delivery-outbox-'));
    const config = loadDeliveryConfig({ ...process.env, QUEUE_PREFIX: prefix, OUTBOX_DIR: outboxDir, LOG_LEVEL: 'warn' });
    app = await NestFactory.createApplicationContext(DeliveryAppModule.forRoot(config), {
      logger: createLogger('delivery', config.LOG_LEVEL, config.LOG_FORMAT),
    });
    await app.init();
    service = app.get(DeliveryService);
    prisma = testPrisma();
  });

  afterAll(async () => {
    await app?.close();
    await prisma?.$disconnect();
    if (outboxDir !== undefined) await rm(outboxDir, { recursive: true, force: true });
  });

  /** A message as the barcode worker leaves it (the shared MM7 test kit's fixture). */
  const renderedMessage = (fixture: MessageFixture = {}) => renderedMessageOf(prisma, fixture);

  const folderOf = (trackingId: string) => join(outboxDir, trackingId);
  const readMeta = async (trackingId: string) =>
    JSON.parse(await readFile(join(folderOf(trackingId), 'meta.json'), 'utf8')) as OutboxMeta;
  const eventsOf = async (messageId: number) =>
    prisma.messageEvent.findMany({ where: { messageId }, orderBy: { id: 'asc' } });
  const exists = (path: string) => stat(path).then(() => true, () => false);

  it('writes message.mime, meta.json and the parts to <outbox>/<trackingId>/ and records SUBMITTED', async () => {
    const { message, imageKey, png } = await renderedMessage();
    const { trackingId } = message;
    const folder = folderOf(trackingId);

    expect(await service.deliver(trackingId, imageKey)).toEqual({ submitted: true });

    expect((await readdir(folder)).sort()).toEqual(['message.mime', 'meta.json', 'parts']);
    expect((await readdir(join(folder, 'parts'))).sort()).toEqual(['barcode.png', 'presentation.smil', 'slide1.txt', 'slide2.txt']);
    // Written to a temporary folder and renamed into place: nothing else is left in the outbox.
    expect((await readdir(outboxDir)).filter((name) => name.startsWith('.tmp-'))).toEqual([]);

    const part = (name: string) => readFile(join(folder, 'parts', name));
    expect((await part('slide1.txt')).toString('utf8')).toBe('Your mobile ticket');
    expect((await part('slide2.txt')).toString('utf8')).toBe('Show this code at the entrance.');
    const barcode = await part('barcode.png');
    expect(barcode.equals(png)).toBe(true);
    expect(await decodeBarcodes(barcode)).toEqual([message.barcodeValue]);
    const smil = (await part('presentation.smil')).toString('utf8');
    const pars = smil.match(/<par dur="\d+s">[\s\S]*?<\/par>/g) ?? [];
    expect(pars).toHaveLength(2);
    expect(pars[0]).toContain('<text src="cid:slide1.txt" region="Text"/>');
    expect(pars[0]).not.toContain('<img');
    expect(pars[1]).toContain('<img src="cid:barcode.png" region="Image"/>');
    expect(pars[1]).toContain('<text src="cid:slide2.txt" region="Text"/>');

    const meta = await readMeta(trackingId);
    expect(meta).toMatchObject({ trackingId, from: '60856', to: message.toNumber, subject: 'Your ticket' });
    expect(meta.parts.map((p) => [p.location, p.contentType])).toEqual([
      ['presentation.smil', 'application/smil; charset=utf-8'],
      ['slide1.txt', 'text/plain; charset=utf-8'],
      ['barcode.png', 'image/png'],
      ['slide2.txt', 'text/plain; charset=utf-8'],
    ]);
    expect(meta.parts[2].size).toBe(png.length);

    const mimeBytes = await readFile(join(folder, 'message.mime'));
    const mime = mimeBytes.toString('utf8');
    const headers = mime.slice(0, mime.indexOf('\r\n\r\n') + 2);
    expect(headers).toContain('MIME-Version: 1.0\r\n');
    expect(headers).toContain('From: 60856\r\n');
    expect(headers).toContain(`To: ${message.toNumber}\r\n`);
    expect(headers).toContain('Subject: Your ticket\r\n');
    expect(headers).toContain(`X-Tracking-Id: ${trackingId}\r\n`);
    expect(headers).toMatch(/Content-Type: multipart\/related; boundary="[^"]+"; type="application\/smil"; start="<presentation.smil>"\r\n/);

    const stored = await prisma.message.findUniqueOrThrow({ where: { id: message.id } });
    expect(stored).toMatchObject({ status: 'SUBMITTED', transport: 'outbox', carrierMessageId: resolve(folder), imageKey, failureReason: null });
    const events = await eventsOf(message.id);
    expect(events.map((e) => e.status)).toEqual(['ACCEPTED', 'RENDERED', 'SUBMITTED']);
    expect(events[2].detail).toEqual({ transport: 'outbox', reference: resolve(folder), bytes: mimeBytes.length, parts: 4, handsetProfile: 'content-rich', maxMessageBytes: 600_000 });
  });

  it('replaces slide 1 with CUSTOMTEXT and merges DATA into it and into CUSTOMSUBJECT', async () => {
    const { message, imageKey } = await renderedMessage({
      customTexts: [{ slide: '1', value: 'Hello {{FIRST_NAME}}' }],
      mergeData: { FIRST_NAME: 'John' },
      customSubject: 'Ticket for {{first_name}}',
    });
    const folder = folderOf(message.trackingId);

    expect(await service.deliver(message.trackingId, imageKey)).toEqual({ submitted: true });

    expect(await readFile(join(folder, 'parts', 'slide1.txt'), 'utf8')).toBe('Hello John');
    expect(await readFile(join(folder, 'parts', 'slide2.txt'), 'utf8')).toBe('Show this code at the entrance.');
    const mime = await readFile(join(folder, 'message.mime'), 'utf8');
    expect(mime).toContain('\r\nSubject: Ticket for John\r\n');
    expect(mime).toContain('\r\n\r\nHello John\r\n');
    expect(mime).not.toContain('{{');
    expect((await readMeta(message.trackingId)).subject).toBe('Ticket for John');
  });

  it('submits once when delivered twice: the second call changes nothing', async () => {
    const { message, imageKey } = await renderedMessage();
    expect(await service.deliver(message.trackingId, imageKey)).toEqual({ submitted: true });
    const first = await readMeta(message.trackingId);
    await new Promise((r) => setTimeout(r, 20)); // a rewrite would carry a later writtenAt

    expect(await service.deliver(message.trackingId, imageKey)).toEqual({ submitted: false });

    expect((await readMeta(message.trackingId)).writtenAt).toBe(first.writtenAt);
    expect((await eventsOf(message.id)).map((e) => e.status)).toEqual(['ACCEPTED', 'RENDERED', 'SUBMITTED']);
    expect((await readdir(outboxDir)).filter((name) => name.includes(message.trackingId))).toEqual([message.trackingId]);
  });

  it('retries a message not yet RENDERED (a later attempt may succeed), writing nothing', async () => {
    const message = await createDemoMessage(prisma);
    const error = await service.deliver(message.trackingId, 'a'.repeat(64)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(PermanentJobError);
    expect(sortJobFailure(error)).not.toBeInstanceOf(UnrecoverableError);
    expect((error as Error).message).toBe(`message ${message.trackingId} is ACCEPTED, not yet RENDERED`);

    expect(await exists(folderOf(message.trackingId))).toBe(false);
    const stored = await prisma.message.findUniqueOrThrow({ where: { id: message.id } });
    expect(stored.status).toBe('ACCEPTED');
    expect((await eventsOf(message.id)).map((e) => e.status)).toEqual(['ACCEPTED']);
  });

  it('gives up on a message that does not exist (PermanentJobError)', async () => {
    const trackingId = trackingIdOf(1_999_999_997);
    const error = await service.deliver(trackingId, 'a'.repeat(64)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PermanentJobError);
    expect((error as Error).message).toBe(`message ${trackingId} does not exist`);
    expect(sortJobFailure(error)).toBeInstanceOf(UnrecoverableError);
    expect(await exists(folderOf(trackingId))).toBe(false);
  });

  it('re-renders the barcode smaller for a small handset (DEVICE), never below what scans', async () => {
    const { message } = await renderedMessage();
    await prisma.message.update({ where: { id: message.id }, data: { device: 'basic feature phone' } });
    await expect(service.deliver(message.trackingId, (await prisma.message.findUniqueOrThrow({ where: { id: message.id } })).imageKey as string)).resolves.toEqual({ submitted: true });
    const png = await readFile(join(folderOf(message.trackingId), 'parts', 'barcode.png'));
    const { width, height } = { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
    expect(width).toBeLessThanOrEqual(160);
    expect(height).toBeLessThanOrEqual(120);
    expect(await decodeBarcodes(png)).toEqual([message.barcodeValue]);
    const submitted = (await eventsOf(message.id)).find((e) => e.status === 'SUBMITTED');
    expect(submitted?.detail).toMatchObject({ handsetProfile: 'image-basic' });
  });

  it('fails, with the reason, a barcode that cannot fit the handset at a size that still scans', async () => {
    const { message, imageKey } = await renderedMessage({ databaseId: 17867, barcodeValue: '4006381333931' });
    await prisma.message.update({ where: { id: message.id }, data: { device: 'basic feature phone' } });
    const failure = await service.deliver(message.trackingId, imageKey).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PermanentJobError);
    expect((failure as Error).message).toMatch(/^handset profile image-basic: EAN13 value of 13 characters does not fit a 160x120 handset image/);
    expect(await exists(folderOf(message.trackingId))).toBe(false);
  });
});
