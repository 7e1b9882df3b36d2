import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import sharp from 'sharp';
import { BARCODE_RENDERER, BarcodeDoesNotFitError, BarcodeRenderer, fitsBox, renderToFit } from '@mms/barcode-render';
import { MessageStatus, Symbology, hasReached, parseBarcodeSettings } from '@mms/contracts';
import { maskPhone } from '@mms/config';
import type { Pool } from 'pg';
import { PG_POOL, PrismaService, recordTransition } from '@mms/db';
import { IMAGE_STORE, ImageStore } from '@mms/image-store';
import { PermanentJobError } from '@mms/queue';
import { ImageContent, composeMms } from '../compose/compose-mms';
import { PhotosDoNotFitError, fitPhotos } from '../handset/fit-photos';
import { DeliveryReportsService } from '../reports/delivery-reports.service';
import { HandsetProfile, chooseHandsetProfile } from '../handset/handset-profiles';

/** Room kept in the handset's message budget for the SMIL, the slide texts and MIME headers. */
const MESSAGE_OVERHEAD_BYTES = 4096;
import { MMS_TRANSPORT, MmsTransport, PermanentTransportError } from '../transport/mms-transport';

/**
 * Composes a rendered message from its template and hands it to the transport, then records
 * SUBMITTED with where it went. A message already SUBMITTED (or further) is not sent again.
 */
@Injectable()
export class DeliveryService implements OnModuleDestroy {
  private readonly logger = new Logger(DeliveryService.name);

  constructor(
    private readonly prisma: PrismaService,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(IMAGE_STORE) private readonly images: ImageStore,
    @Inject(MMS_TRANSPORT) private readonly transport: MmsTransport,
    @Inject(BARCODE_RENDERER) private readonly renderer: BarcodeRenderer,
    private readonly reports: DeliveryReportsService,
  ) {}

  /**
   * The stored barcode when it fits the handset; otherwise the same value rendered again at a
   * smaller whole module size, never below the size that still scans (MIN_MODULE_PX). Where even
   * that does not fit, the message fails with the reason rather than going out unreadable.
   */
  private async fitBarcode(
    stored: { bytes: Buffer; contentType: string },
    profile: HandsetProfile,
    message: { databaseId: number; barcodeValue: string },
  ): Promise<ImageContent> {
    const size = await imageSize(stored.bytes);
    if (fitsBox(size, profile)) return { bytes: stored.bytes, contentType: stored.contentType };
    const database = await this.prisma.barcodeDatabase.findUniqueOrThrow({ where: { id: message.databaseId } });
    try {
      const image = await renderToFit(this.renderer, database.symbology as Symbology, message.barcodeValue, parseBarcodeSettings(database.settings), profile);
      return { bytes: image.bytes, contentType: image.contentType };
    } catch (error) {
      if (error instanceof BarcodeDoesNotFitError) throw new PermanentJobError(`handset profile ${profile.name}: ${error.message}`);
      throw error;
    }
  }

  onModuleDestroy(): void {
    this.transport.close?.();
  }

  async deliver(trackingId: string, imageKey: string): Promise<{ submitted: boolean }> {
    const message = await this.prisma.message.findUnique({
      where: { trackingId },
      include: { template: { include: { slides: true } } },
    });
    if (message === null) throw new PermanentJobError(`message ${trackingId} does not exist`);
    if (message.status === MessageStatus.Failed) throw new PermanentJobError(`message ${trackingId} already failed`);
    if (hasReached(message.status, MessageStatus.Submitted)) return { submitted: false };
    if (message.status !== MessageStatus.Rendered) {
      throw new Error(`message ${trackingId} is ${message.status}, not yet RENDERED`);
    }

    const stored = await this.images.get(imageKey);
    if (stored === null) throw new PermanentJobError(`barcode image ${imageKey} is not in the image store`);
    const known = message.device === null ? await this.prisma.phoneDevice.findUnique({ where: { phone: message.toNumber } }) : null;
    const profile = chooseHandsetProfile(message.device, known?.device);
    const barcode = await this.fitBarcode(stored, profile, message);
    const photos = new Map<number, ImageContent>();
    for (const slide of message.template.slides) {
      if (slide.media !== 'IMAGE' || slide.mediaKey === null) continue;
      const image = await this.images.get(slide.mediaKey);
      if (image === null) throw new PermanentJobError(`template ${message.templateId} slide ${slide.position} image is missing`);
      photos.set(slide.position, { bytes: image.bytes, contentType: image.contentType });
    }
    // The photos share what the barcode and a margin for SMIL, texts and MIME headers leave.
    const photoBudget = profile.maxMessageBytes - barcode.bytes.length - MESSAGE_OVERHEAD_BYTES;
    let slideImages: Map<number, ImageContent>;
    try {
      slideImages = photos.size === 0 ? photos : await fitPhotos(photos, profile, photoBudget);
    } catch (error) {
      if (error instanceof PhotosDoNotFitError) throw new PermanentJobError(error.message);
      throw error;
    }

    const mms = composeMms({
      trackingId,
      from: message.senderCode,
      to: message.toNumber,
      templateSubject: message.template.subject,
      customSubject: message.customSubject,
      slides: message.template.slides,
      customTexts: asCustomTexts(message.customTexts),
      mergeData: asStringRecord(message.mergeData),
      barcode: { bytes: barcode.bytes, contentType: barcode.contentType },
      slideImages,
    });
    const size = mms.parts.reduce((total, part) => total + part.body.length, 0);
    if (size > profile.maxMessageBytes) {
      throw new PermanentJobError(`the MMS is ${size} bytes, over the ${profile.maxMessageBytes} bytes of handset profile ${profile.name}`);
    }
    // The recipient's country picks the carrier route and so the MMSC connector.
    const route = message.toCountry === null ? null : await this.prisma.carrierRoute.findFirst({ where: { country: message.toCountry, enabled: true }, orderBy: { id: 'asc' } });
    let result;
    try {
      result = await this.transport.submit(mms, { connector: route?.connector ?? 'default' });
    } catch (error) {
      if (error instanceof PermanentTransportError) throw new PermanentJobError(error.message);
      throw error;
    }

    await recordTransition(this.pool, {
      messageId: message.id,
      from: [MessageStatus.Rendered],
      to: MessageStatus.Submitted,
      set: { transport: result.transport, carrierMessageId: result.reference },
      detail: { transport: result.transport, reference: result.reference, bytes: result.bytes, parts: mms.parts.length, handsetProfile: profile.name },
    });
    this.logger.log(`submitted ${trackingId} to ${maskPhone(message.toNumber)} via ${result.transport} (${result.bytes} bytes)`);
    try {
      await this.reports.applyUnmatchedFor(result.reference);
    } catch (error) {
      // The report stays stored and visible as unmatched; the message keeps SUBMITTED.
      this.logger.warn(`early delivery reports for ${trackingId} not applied: ${error instanceof Error ? error.message : String(error)}`);
    }
    return { submitted: true };
  }
}

function imageSize(bytes: Buffer): Promise<{ width: number; height: number }> {
  return sharp(bytes)
    .metadata()
    .then(({ width = 0, height = 0 }) => ({ width, height }));
}

function asCustomTexts(value: unknown): Array<{ slide: string; value: string }> {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) return [];
    const { slide, value: text } = entry as Record<string, unknown>;
    return typeof slide === 'string' && typeof text === 'string' ? [{ slide, value: text }] : [];
  });
}

function asStringRecord(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'));
}
