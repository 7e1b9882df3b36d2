import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  BarcodeSettings,
  JobName,
  MessageStatus,
  checkEncodable,
  hasReached,
  parseBarcodeSettings,
} from '@mms/contracts';
import { IMAGE_STORE, ImageStore } from '@mms/image-store';
import { JobProducer, PermanentJobError } from '@mms/queue';
import { BARCODE_RENDERER, BarcodeRenderer, UnencodableBarcodeError } from '@mms/barcode-render';
import { BarcodeRepository, RenderSubject } from './barcode.repository';

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
    private readonly repository: BarcodeRepository,
    private readonly producer: JobProducer,
    @Inject(BARCODE_RENDERER) private readonly renderer: BarcodeRenderer,
    @Inject(IMAGE_STORE) private readonly images: ImageStore,
  ) {}

  async issueAndRender(trackingId: string): Promise<{ imageKey: string; rendered: boolean }> {
    const message = await this.repository.findForRender(trackingId);
    if (message === null) throw new PermanentJobError(`message ${trackingId} does not exist`);
    if (message.status === MessageStatus.Failed) throw new PermanentJobError(`message ${trackingId} already failed`);

    if (hasReached(message.status, MessageStatus.Rendered) && message.imageKey !== null) {
      // A rerun after the status step: only the hand-off may be missing.
      await this.handOff(trackingId, message.imageKey, message.status);
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
    const image = await this.renderOnce(message, settings);

    // The barcode is recorded in its database only once it rendered: a value the symbology
    // cannot encode is never issued.
    await this.repository.recordRendered({
      messageId: message.id,
      trackingId,
      databaseId: message.databaseId,
      barcodeValue: message.barcodeValue,
      phone: message.toNumber,
      campaignId: message.campaignId,
      imageKey: image.imageKey,
      detail: {
        symbology,
        imageKey: image.imageKey,
        contentType: image.contentType,
        width: image.width,
        height: image.height,
        settingsVersion: message.settingsVersion,
        cached: image.cached,
      },
    });
    await this.handOff(trackingId, image.imageKey, MessageStatus.Rendered);
    this.logger.log(`rendered ${trackingId} as ${symbology} ${image.width}x${image.height}${image.cached ? ' (cached)' : ''}`);
    return { imageKey: image.imageKey, rendered: true };
  }

  /**
   * One render per (database, settings version, value): a resend of a BARCODEID is a lookup. The
   * image key is content-addressed, so two workers racing on the same value store one image.
   */
  private async renderOnce(
    message: RenderSubject,
    settings: BarcodeSettings,
  ): Promise<{ imageKey: string; contentType: string; width: number; height: number; cached: boolean }> {
    if (message.cached !== null) return { ...message.cached, contentType: contentTypeOf(settings), cached: true };
    let image;
    try {
      image = await this.renderer.render(message.symbology, message.barcodeValue, settings);
    } catch (error) {
      if (error instanceof UnencodableBarcodeError) throw new PermanentJobError(error.message);
      throw error;
    }
    const imageKey = await this.images.put(image.bytes, image.contentType);
    await this.repository.saveRender(message.databaseId, message.settingsVersion, message.valueHash, { ...image, imageKey });
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
