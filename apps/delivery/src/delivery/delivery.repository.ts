import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { MessageStatus, Symbology } from '@mms/contracts';
import { PG_POOL } from '@mms/db';
import type { SlideSource } from '../compose/compose-mms';

export interface DeliverySlide extends SlideSource {
  /** Image-store key of an IMAGE slide's photo. */
  readonly mediaKey: string | null;
}

/** Everything a submit job needs of its message, in one row. */
export interface DeliverySubject {
  readonly id: number;
  readonly trackingId: string;
  readonly status: MessageStatus;
  readonly templateId: number;
  readonly templateSubject: string;
  readonly slides: readonly DeliverySlide[];
  readonly senderCode: string;
  readonly toNumber: string;
  readonly toCountry: string | null;
  /** The DEVICE the request named. */
  readonly device: string | null;
  /** The handset last known for the number (only looked up when the request named none). */
  readonly knownDevice: string | null;
  readonly customSubject: string | null;
  readonly customTexts: unknown;
  readonly mergeData: unknown;
  readonly databaseId: number;
  readonly barcodeValue: string;
  readonly symbology: Symbology;
  readonly settings: unknown;
  /** The connector of the first enabled route of the recipient's country (null: none). */
  readonly connector: string | null;
  /** The barcode image the job names; null when the store lacks it (or the message is not RENDERED). */
  readonly barcode: { readonly bytes: Buffer; readonly contentType: string } | null;
  /** The id of the partner request that made the message (its jobs log with it, MM7 carries it). */
  readonly requestId: string | null;
}

export interface SubmitRequest {
  readonly trackingId: string;
  readonly imageKey: string;
}

type Row = Omit<DeliverySubject, 'barcode'> & { imageBytes: Buffer | null; imageContentType: string | null };

/**
 * The delivery worker's reads, in plain SQL on the process's `pg` pool: the hot path of every
 * submit. One statement gives a batch of jobs their messages, template slides, last known
 * handsets, routes and barcode images (bytes only for messages still RENDERED).
 */
@Injectable()
export class DeliveryRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async findForDelivery(requests: readonly SubmitRequest[]): Promise<Map<string, DeliverySubject>> {
    if (requests.length === 0) return new Map();
    const { rows } = await this.pool.query<Row>({
      name: 'delivery-find-for-delivery',
      text: `SELECT j.tracking_id AS "trackingId", m.id, m.status::text AS status, m.template_id AS "templateId",
             t.subject AS "templateSubject",
             (SELECT coalesce(json_agg(json_build_object(
                        'position', s.position, 'text', s.text, 'durationSeconds', s.duration_seconds,
                        'media', s.media::text, 'mediaKey', s.media_key) ORDER BY s.position), '[]'::json)
              FROM template_slides s WHERE s.template_id = m.template_id) AS slides,
             m.sender_code AS "senderCode", m.to_number AS "toNumber", m.to_country AS "toCountry",
             m.device, pd.device AS "knownDevice",
             m.custom_subject AS "customSubject", m.custom_texts AS "customTexts", m.merge_data AS "mergeData",
             m.database_id AS "databaseId", m.barcode_value AS "barcodeValue", m.request_id AS "requestId",
             d.symbology::text AS symbology, d.settings,
             r.connector,
             si.bytes AS "imageBytes", si.content_type AS "imageContentType"
      FROM unnest($1::text[], $2::text[]) AS j(tracking_id, image_key)
      JOIN messages m ON m.tracking_id = j.tracking_id
      JOIN mms_templates t ON t.id = m.template_id
      JOIN barcode_databases d ON d.id = m.database_id
      LEFT JOIN phone_devices pd ON m.device IS NULL AND pd.phone = m.to_number
      LEFT JOIN LATERAL (
        SELECT c.connector FROM carrier_routes c WHERE c.country = m.to_country AND c.enabled ORDER BY c.id LIMIT 1
      ) r ON true
      LEFT JOIN stored_images si ON m.status = 'RENDERED' AND si.key = j.image_key`,
      values: [requests.map((r) => r.trackingId), requests.map((r) => r.imageKey)],
    });
    return new Map(
      rows.map(({ imageBytes, imageContentType, ...subject }) => [
        subject.trackingId,
        { ...subject, barcode: imageBytes === null ? null : { bytes: imageBytes, contentType: imageContentType as string } },
      ]),
    );
  }
}
