import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import {
  BarcodeSettings,
  JobName,
  MessageStatus,
  Symbology,
  checkEncodable,
  hasReached,
  parseBarcodeSettings,
} from '@mms/contracts';
import { PrismaService } from '@mms/db';
import { IMAGE_STORE, ImageStore } from '@mms/image-store';
import { JobProducer, PermanentJobError } from '@mms/queue';
import { BARCODE_RENDERER, BarcodeRenderer, UnencodableBarcodeError } from '@mms/barcode-render';

/**
 * Issues a message's barcode: renders the image into the image store, records the barcode in the
 * account's barcode database, moves the message to RENDERED and hands it to delivery. Safe to run twice
 * for one message: the issuance row is unique per message, the image key is content-addressed,
 * the status step is conditional, and the delivery job id is the tracking id.
 */
@Injectable()
export class BarcodeService {
  private readonly logger = new Logger(BarcodeService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly producer: JobProducer,
    @Inject(BARCODE_RENDERER) private readonly renderer: BarcodeRenderer,
    @Inject(IMAGE_STORE) private readonly images: ImageStore,
  ) {}

  async issueAndRender(trackingId: string): Promise<{ imageKey: string; rendered: boolean }> {
    const message = await this.prisma.message.findUnique({
      where: { trackingId },
      include: { database: true },
    });
    if (message === null) throw new PermanentJobError(`message ${trackingId} does not exist`);
    if (message.status === MessageStatus.Failed) throw new PermanentJobError(`message ${trackingId} already failed`);

    if (hasReached(message.status, MessageStatus.Rendered) && message.imageKey !== null) {
      // A rerun after the status step: only the hand-off may be missing.
      await this.handOff(trackingId, message.imageKey, message.status);
      return { imageKey: message.imageKey, rendered: false };
    }

    const symbology = message.database.symbology as Symbology;
    let settings;
    try {
      settings = parseBarcodeSettings(message.database.settings);
    } catch (error) {
      throw new PermanentJobError(`database ${message.databaseId}: ${(error as Error).message}`);
    }
    const encodable = checkEncodable(symbology, message.barcodeValue);
    if (!encodable.ok) throw new PermanentJobError(new UnencodableBarcodeError(symbology, encodable.reason).message);
    const image = await this.renderCached(message.databaseId, message.database.settingsVersion, symbology, message.barcodeValue, settings);
    const imageKey = image.imageKey;

    // The barcode is recorded in its database only once it rendered: a value the symbology
    // cannot encode is never issued. One statement, so one round trip and atomic: the issuance
    // (unique per message, so a rerun records it once), the conditional ACCEPTED -> RENDERED step
    // and its event (written only when the step happened).
    const detail = JSON.stringify({
      symbology,
      imageKey,
      contentType: image.contentType,
      width: image.width,
      height: image.height,
      settingsVersion: message.database.settingsVersion,
      cached: image.cached,
    });
    await this.prisma.$queryRaw`
      WITH moved AS (
        UPDATE messages SET status = 'RENDERED', image_key = ${imageKey}, updated_at = now()
        WHERE id = ${message.id} AND status = 'ACCEPTED'
        RETURNING id
      ), event AS (
        INSERT INTO message_events (message_id, status, detail)
        SELECT id, 'RENDERED'::"MessageStatus", ${detail}::jsonb FROM moved
      ), issued AS (
        INSERT INTO issued_barcodes (database_id, barcode_id, phone, campaign_id, message_id, tracking_id, image_key)
        VALUES (${message.databaseId}, ${message.barcodeValue}, ${message.toNumber}, ${message.campaignId}, ${message.id}, ${trackingId}, ${imageKey})
        ON CONFLICT (message_id) DO NOTHING
      )
      SELECT count(*)::int AS moved FROM moved`;
    await this.handOff(trackingId, imageKey, MessageStatus.Rendered);
    this.logger.log(`rendered ${trackingId} as ${symbology} ${image.width}x${image.height}${image.cached ? ' (cached)' : ''}`);
    return { imageKey, rendered: true };
  }

  /**
   * One render per (database, settings version, value): a resend of a BARCODEID is a lookup. The
   * image key is content-addressed, so two workers racing on the same value store one image.
   */
  private async renderCached(
    databaseId: number,
    settingsVersion: number,
    symbology: Symbology,
    value: string,
    settings: BarcodeSettings,
  ): Promise<{ imageKey: string; contentType: string; width: number; height: number; cached: boolean }> {
    const valueHash = createHash('sha256').update(value, 'utf8').digest('hex');
    const hit = await this.prisma.renderedBarcode.findUnique({
      where: { databaseId_settingsVersion_valueHash: { databaseId, settingsVersion, valueHash } },
    });
    if (hit !== null) {
      return { imageKey: hit.imageKey, contentType: contentTypeOf(settings), width: hit.width, height: hit.height, cached: true };
    }
    let image;
    try {
      image = await this.renderer.render(symbology, value, settings);
    } catch (error) {
      if (error instanceof UnencodableBarcodeError) throw new PermanentJobError(error.message);
      throw error;
    }
    const imageKey = await this.images.put(image.bytes, image.contentType);
    await this.prisma.renderedBarcode.createMany({
      data: [{ databaseId, settingsVersion, valueHash, imageKey, width: image.width, height: image.height, modulePx: image.modulePx }],
      skipDuplicates: true,
    });
    return { imageKey, contentType: image.contentType, width: image.width, height: image.height, cached: false };
  }

  /** Enqueued after the commit; a message delivery already took needs nothing more. */
  private async handOff(trackingId: string, imageKey: string, status: MessageStatus): Promise<void> {
    if (hasReached(status, MessageStatus.Submitted)) return;
    await this.producer.enqueue(JobName.SubmitMms, { trackingId, imageKey });
  }
}

function contentTypeOf(settings: BarcodeSettings): string {
  return settings.format === 'png' ? 'image/png' : settings.format === 'gif' ? 'image/gif' : 'image/jpeg';
}
