import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import { BARCODE_RENDERER, BarcodeDoesNotFitError, BarcodeRenderer, fitsBox, renderToFit } from '@mms/barcode-render';
import { MessageStatus, hasReached, parseBarcodeSettings } from '@mms/contracts';
import { maskPhone, setLogRequestId } from '@mms/config';
import { PG_POOL, recordTransitions } from '@mms/db';
import { IMAGE_STORE, ImageStore } from '@mms/image-store';
import { MicroBatcher, OutboxDispatcher, PermanentJobError } from '@mms/queue';
import { LruCache } from '../common/lru-cache';
import { ImageContent, composeMms } from '../compose/compose-mms';
import { PhotosDoNotFitError, fitPhotos } from '../handset/fit-photos';
import { CarrierLimits, DeliveryProfile, HandsetProfile, chooseHandsetProfile } from '../handset/handset-profiles';
import { imageSize } from '../handset/image-size';
import { DeliveryReportsService } from '../reports/delivery-reports.service';
import { MMS_TRANSPORT, PermanentTransportError, RoutedMmsTransport, SubmitResult, SubmitRoute, SubmitSlot } from '../transport/mms-transport';
import { DeliveryRepository, DeliverySubject, SubmitRequest } from './delivery.repository';

/** Room kept in the handset's message budget for the SMIL, the slide texts and MIME headers. */
const MESSAGE_OVERHEAD_BYTES = 4096;
/** Template photos kept in process: immutable (content-addressed), shared by every message of a template. */
const PHOTO_CACHE_ENTRIES = 256;
const PHOTO_CACHE_BYTES = 64 * 1024 * 1024;
/**
 * How long a submit the MMSC took keeps trying to record its SUBMITTED while the database is
 * away, before its job fails and a retry sends the SubmitReq again: a short outage (a failover)
 * then repeats nothing. Well inside the job's lock (60 s), which BullMQ renews meanwhile.
 */
const RECORD_SUBMITTED_PATIENCE_MS = 30_000;

/** A message the MMSC took, waiting for its batch's SUBMITTED record. */
interface Submission {
  readonly messageId: number;
  readonly result: SubmitResult;
  readonly detail: Record<string, unknown>;
}

/**
 * Composes a rendered message from its template and hands it to the transport, then records
 * SUBMITTED with where it went. A message already SUBMITTED (or further) is not sent again.
 *
 * The jobs a worker holds at once share their database round trips (MicroBatcher): one query
 * loads their messages with everything the composition needs, and one statement records their
 * SUBMITTED steps, followed by one look for delivery reports that overtook them.
 */
@Injectable()
export class DeliveryService implements OnApplicationShutdown {
  private readonly logger = new Logger(DeliveryService.name);
  private readonly photoCache = new LruCache<string, ImageContent>(PHOTO_CACHE_ENTRIES, PHOTO_CACHE_BYTES, (image) => image.bytes.length);
  private readonly subjects = new MicroBatcher<SubmitRequest, DeliverySubject | null>(async (requests) => {
    const found = await this.repository.findForDelivery(requests);
    return requests.map((r) => found.get(r.trackingId) ?? null);
  });
  private readonly submissions = new MicroBatcher<Submission, void>(async (batch) => {
    await this.recordSubmitted(batch);
    return batch.map(() => undefined);
  });

  constructor(
    private readonly repository: DeliveryRepository,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(IMAGE_STORE) private readonly images: ImageStore,
    @Inject(MMS_TRANSPORT) private readonly transport: RoutedMmsTransport,
    @Inject(BARCODE_RENDERER) private readonly renderer: BarcodeRenderer,
    private readonly reports: DeliveryReportsService,
    private readonly outbox: OutboxDispatcher,
  ) {}

  /** After the worker closed (beforeApplicationShutdown): submits in flight keep their connections. */
  onApplicationShutdown(): void {
    this.transport.close?.();
  }

  async deliver(trackingId: string, imageKey: string): Promise<{ submitted: boolean }> {
    const message = await this.subjects.call({ trackingId, imageKey });
    if (message === null) throw new PermanentJobError(`message ${trackingId} does not exist`);
    // From here on this job's lines, and its SubmitReq's X-Request-Id, carry the request that made the message.
    setLogRequestId(message.requestId);
    if (message.status === MessageStatus.Failed) throw new PermanentJobError(`message ${trackingId} already failed`);
    if (hasReached(message.status, MessageStatus.Submitted)) return { submitted: false };
    if (message.status !== MessageStatus.Rendered) {
      throw new Error(`message ${trackingId} is ${message.status}, not yet RENDERED`);
    }

    if (message.barcode === null) throw new PermanentJobError(`barcode image ${imageKey} is not in the image store`);
    // The recipient's country picks the carrier route and so the MMSC connector, whose limits
    // bound the handset's class: a carrier's limit always wins (docs/handsets.md).
    const route: SubmitRoute = { connector: message.toCountry === null ? 'default' : (message.connector ?? 'default') };
    const profile = chooseHandsetProfile(message.device, message.knownDevice, this.carrierLimitsFor(route));
    // The carrier's rate before any composing: a job held back (ConnectorRateLimitedError) goes
    // back to the queue having spent nothing on a message it cannot send yet.
    const slot = await this.slotFor(route);
    const barcode = await this.fitBarcode(message.barcode, profile, message);
    const photos = new Map<number, ImageContent>();
    for (const slide of message.slides) {
      if (slide.media !== 'IMAGE' || slide.mediaKey === null) continue;
      const image = await this.templatePhoto(slide.mediaKey);
      if (image === null) throw new PermanentJobError(`template ${message.templateId} slide ${slide.position} image is missing`);
      photos.set(slide.position, image);
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
      templateSubject: message.templateSubject,
      customSubject: message.customSubject,
      slides: message.slides,
      customTexts: asCustomTexts(message.customTexts),
      mergeData: asStringRecord(message.mergeData),
      barcode,
      slideImages,
    });
    const size = mms.parts.reduce((total, part) => total + part.body.length, 0);
    if (size > profile.maxMessageBytes) {
      throw new PermanentJobError(`the MMS is ${size} bytes, over the ${describeSizeLimit(profile, route)}`);
    }
    this.logger.debug(`composed ${trackingId}: ${mms.parts.length} parts, ${size} bytes for handset profile ${profile.name}; submitting via ${route.connector}`);
    let result;
    try {
      result = await this.transport.submit(mms, slot);
    } catch (error) {
      throw permanentForJob(error);
    }

    await this.recordPatiently(trackingId, {
      messageId: message.id,
      result,
      detail: {
        transport: result.transport,
        reference: result.reference,
        bytes: result.bytes,
        parts: mms.parts.length,
        handsetProfile: profile.name,
        maxMessageBytes: profile.maxMessageBytes,
        ...(result.warning === undefined ? {} : { warning: result.warning }),
      },
    });
    if (result.warning !== undefined) this.logger.warn(`${trackingId}: ${result.warning}`);
    this.logger.log(`submitted ${trackingId} to ${maskPhone(message.toNumber)} via ${result.transport} (${result.bytes} bytes)`);
    return { submitted: true };
  }

  /**
   * The MMSC has the message: failing the job now would send it again. So the SUBMITTED record is
   * retried (250 ms doubling to 4 s) for RECORD_SUBMITTED_PATIENCE_MS before the error is let go.
   */
  private async recordPatiently(trackingId: string, submission: Submission): Promise<void> {
    const giveUpAt = Date.now() + RECORD_SUBMITTED_PATIENCE_MS;
    for (let wait = 250; ; wait = Math.min(wait * 2, 4000)) {
      try {
        await this.submissions.call(submission);
        return;
      } catch (error) {
        if (Date.now() + wait > giveUpAt) throw error;
        this.logger.warn(`${trackingId} was taken by the MMSC but SUBMITTED could not be recorded (${error instanceof Error ? error.message : String(error)}); trying again in ${wait} ms`);
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  private async slotFor(route: SubmitRoute): Promise<SubmitSlot> {
    try {
      return await this.transport.takeSlot(route);
    } catch (error) {
      throw permanentForJob(error);
    }
  }

  private carrierLimitsFor(route: SubmitRoute): CarrierLimits {
    try {
      return this.transport.limitsFor(route);
    } catch (error) {
      throw permanentForJob(error);
    }
  }

  /**
   * The stored barcode when it fits the handset; otherwise the same value rendered again at a
   * smaller whole module size, never below the size that still scans (MIN_MODULE_PX). Where even
   * that does not fit, the message fails with the reason rather than going out unreadable.
   */
  private async fitBarcode(stored: ImageContent, profile: HandsetProfile, message: DeliverySubject): Promise<ImageContent> {
    const size = await imageSize(stored.bytes);
    if (fitsBox(size, profile)) return stored;
    try {
      const image = await renderToFit(this.renderer, message.symbology, message.barcodeValue, parseBarcodeSettings(message.settings), profile);
      return { bytes: image.bytes, contentType: image.contentType };
    } catch (error) {
      if (error instanceof BarcodeDoesNotFitError) throw new PermanentJobError(`handset profile ${profile.name}: ${error.message}`);
      throw error;
    }
  }

  /**
   * RENDERED -> SUBMITTED for a batch in one statement (the ledger, which also writes their N101
   * postbacks), whose postback jobs go to Redis at once; then the delivery reports that arrived
   * before it (an MMSC that reports within milliseconds of its SubmitRsp) are applied.
   */
  private async recordSubmitted(batch: readonly Submission[]): Promise<void> {
    const recorded = await recordTransitions(
      this.pool,
      batch.map((s) => ({
        messageId: s.messageId,
        from: [MessageStatus.Rendered],
        to: MessageStatus.Submitted,
        set: { transport: s.result.transport, carrierMessageId: s.result.reference },
        detail: s.detail,
      })),
    );
    await this.outbox.dispatch(recorded.announced);
    try {
      await this.reports.applyUnmatchedFor(batch.flatMap((s) => (s.result.reference === null ? [] : [s.result.reference])));
    } catch (error) {
      // The report stays stored and visible as unmatched; the messages keep SUBMITTED.
      this.logger.warn(`early delivery reports not applied: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async templatePhoto(key: string): Promise<ImageContent | null> {
    const cached = this.photoCache.get(key);
    if (cached !== undefined) return cached;
    const stored = await this.images.get(key);
    if (stored === null) return null;
    const image = { bytes: stored.bytes, contentType: stored.contentType };
    this.photoCache.set(key, image);
    return image;
  }
}

/** A transport's permanent refusal fails the job for good (no retry); anything else is retried. */
function permanentForJob(error: unknown): unknown {
  return error instanceof PermanentTransportError ? new PermanentJobError(error.message) : error;
}

/** Whose limit a message went over: the handset class's, or the carrier connector's when smaller. */
function describeSizeLimit(profile: DeliveryProfile, route: SubmitRoute): string {
  return profile.sizeLimitedBy === 'carrier'
    ? `${profile.maxMessageBytes} bytes connector ${route.connector} takes (handset profile ${profile.name})`
    : `${profile.maxMessageBytes} bytes of handset profile ${profile.name}`;
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
