import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  BarcodeSettings,
  JobName,
  MessageStatus,
  checkEncodable,
  hasReached,
  parseBarcodeSettings,
} from '@mms/contracts';
import { IMAGE_STORE, ImageStore, imageKeyOf } from '@mms/image-store';
import { setLogRequestId } from '@mms/config';
import { JobProducer, MicroBatcher, PermanentJobError } from '@mms/queue';
import { BARCODE_RENDERER, BarcodeRenderer, UnencodableBarcodeError } from '@mms/barcode-render';
import { BarcodeRepository, RenderSubject, RenderedRecord } from './barcode.repository';

/** A job's render, waiting for its batch to be recorded. */
interface Settlement {
  readonly trackingId: string;
  readonly subject: RenderSubject;
  readonly image: RenderOutcome;
  /** The fresh image's bytes (null: a render-cache hit, already stored). */
  readonly bytes: Buffer | null;
  readonly modulePx: number;
}

interface RenderOutcome {
  readonly imageKey: string;
  readonly contentType: string;
  readonly width: number;
  readonly height: number;
  readonly cached: boolean;
}

/**
 * Issues a message's barcode: renders the image into the image store, records the barcode in the
 * account's barcode database, moves the message to RENDERED and hands it to delivery. Safe to run twice
 * for one message: the issuance row is unique per message, the image key is content-addressed,
 * the status step is conditional, and the delivery job id is the tracking id.
 *
 * The jobs a worker holds at once share their round trips: their messages are loaded in one query,
 * and their images, cache rows, issuances, RENDERED steps and delivery jobs are written together
 * (MicroBatcher), each kind in one statement or one Redis round trip. The render itself is per job.
 */
@Injectable()
export class BarcodeService {
  private readonly logger = new Logger(BarcodeService.name);
  private readonly subjects = new MicroBatcher<string, RenderSubject | null>(async (trackingIds) => {
    const found = await this.repository.findForRenderMany([...new Set(trackingIds)]);
    return trackingIds.map((id) => found.get(id) ?? null);
  });
  private readonly settlements = new MicroBatcher<Settlement, void>(async (batch) => {
    await this.settle(batch);
    return batch.map(() => undefined);
  });
  private readonly handOffs = new MicroBatcher<{ trackingId: string; imageKey: string }, void>(async (batch) => {
    await this.producer.enqueueMany(JobName.SubmitMms, batch);
    return batch.map(() => undefined);
  });

  constructor(
    private readonly repository: BarcodeRepository,
    private readonly producer: JobProducer,
    @Inject(BARCODE_RENDERER) private readonly renderer: BarcodeRenderer,
    @Inject(IMAGE_STORE) private readonly images: ImageStore,
  ) {}

  async issueAndRender(trackingId: string): Promise<{ imageKey: string; rendered: boolean }> {
    const message = await this.subjects.call(trackingId);
    if (message === null) throw new PermanentJobError(`message ${trackingId} does not exist`);
    // From here on this job's lines carry the request that made the message.
    setLogRequestId(message.requestId);
    if (message.status === MessageStatus.Failed) throw new PermanentJobError(`message ${trackingId} already failed`);

    if (hasReached(message.status, MessageStatus.Rendered) && message.imageKey !== null) {
      // A rerun after the status step: only the hand-off may be missing.
      if (!hasReached(message.status, MessageStatus.Submitted)) await this.handOffs.call({ trackingId, imageKey: message.imageKey });
      return { imageKey: message.imageKey, rendered: false };
    }

    const { symbology } = message;
    let settings: BarcodeSettings;
    try {
      settings = parseBarcodeSettings(message.settings);
    } catch (error) {
      throw new PermanentJobError(`database ${message.databaseId}: ${(error as Error).message}`);
    }
    const encodable = checkEncodable(symbology, message.barcodeValue);
    if (!encodable.ok) throw new PermanentJobError(new UnencodableBarcodeError(symbology, encodable.reason).message);
    const settlement = await this.renderOnce(trackingId, message, settings);

    // Recorded with the other jobs of this moment: images, cache rows, issuances (a value the
    // symbology cannot encode is never issued: it never gets here), RENDERED, delivery jobs.
    await this.settlements.call(settlement);
    const { image } = settlement;
    this.logger.log(`rendered ${trackingId} as ${symbology} ${image.width}x${image.height}${image.cached ? ' (cached)' : ''}`);
    return { imageKey: image.imageKey, rendered: true };
  }

  /**
   * One render per (database, settings version, value): a resend of a BARCODEID is a lookup. The
   * image key is content-addressed, so two workers racing on the same value store one image.
   */
  private async renderOnce(trackingId: string, subject: RenderSubject, settings: BarcodeSettings): Promise<Settlement> {
    if (subject.cached !== null) {
      return { trackingId, subject, image: { ...subject.cached, contentType: contentTypeOf(settings), cached: true }, bytes: null, modulePx: 0 };
    }
    let image;
    try {
      image = await this.renderer.render(subject.symbology, subject.barcodeValue, settings);
    } catch (error) {
      if (error instanceof UnencodableBarcodeError) throw new PermanentJobError(error.message);
      throw error;
    }
    return {
      trackingId,
      subject,
      image: { imageKey: imageKeyOf(image.bytes), contentType: image.contentType, width: image.width, height: image.height, cached: false },
      bytes: image.bytes,
      modulePx: image.modulePx,
    };
  }

  /**
   * A batch of rendered jobs, in the order that keeps a rerun safe: the images first (a cache row
   * or a message never names an image the store lacks), then cache rows and issuances, then the
   * RENDERED steps (a message past ACCEPTED is not issued again, so the issuance must be in
   * before), then the delivery jobs (after the commit, ids = tracking ids).
   */
  private async settle(batch: readonly Settlement[]): Promise<void> {
    const fresh = uniqueBy(
      batch.filter((s) => s.bytes !== null),
      (s) => s.image.imageKey,
    );
    if (fresh.length > 0) await this.images.putMany(fresh.map((s) => ({ bytes: s.bytes as Buffer, contentType: s.image.contentType })));
    const records = uniqueBy(batch, (s) => s.trackingId).map(
      (s): RenderedRecord => ({
        messageId: s.subject.id,
        trackingId: s.trackingId,
        databaseId: s.subject.databaseId,
        barcodeValue: s.subject.barcodeValue,
        phone: s.subject.toNumber,
        campaignId: s.subject.campaignId,
        imageKey: s.image.imageKey,
        detail: {
          symbology: s.subject.symbology,
          imageKey: s.image.imageKey,
          contentType: s.image.contentType,
          width: s.image.width,
          height: s.image.height,
          settingsVersion: s.subject.settingsVersion,
          cached: s.image.cached,
        },
      }),
    );
    await this.repository.saveRendersAndIssuances(
      fresh.map((s) => ({
        databaseId: s.subject.databaseId,
        settingsVersion: s.subject.settingsVersion,
        valueHash: s.subject.valueHash,
        imageKey: s.image.imageKey,
        width: s.image.width,
        height: s.image.height,
        modulePx: s.modulePx,
      })),
      records,
    );
    await this.repository.recordRenderedMany(records);
    // Enqueued for every message of the batch, moved or not: one already further is skipped by
    // delivery (and its job id is the tracking id, so it is never two jobs).
    await this.producer.enqueueMany(
      JobName.SubmitMms,
      records.map((r) => ({ trackingId: r.trackingId, imageKey: r.imageKey })),
    );
  }
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function contentTypeOf(settings: BarcodeSettings): string {
  return settings.format === 'png' ? 'image/png' : settings.format === 'gif' ? 'image/gif' : 'image/jpeg';
}
