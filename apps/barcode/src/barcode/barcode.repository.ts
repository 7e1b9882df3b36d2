import { Injectable } from '@nestjs/common';
import type { MessageStatus, Symbology } from '@mms/contracts';
import { PrismaService } from '@mms/db';

/** What a render job needs of its message, its barcode database and the render cache. */
export interface RenderSubject {
  readonly id: number;
  readonly status: MessageStatus;
  readonly imageKey: string | null;
  readonly databaseId: number;
  readonly barcodeValue: string;
  readonly toNumber: string;
  readonly campaignId: number | null;
  readonly symbology: Symbology;
  readonly settings: unknown;
  readonly settingsVersion: number;
  /** SHA-256 (hex) of the value: the render cache's key with the database and settings version. */
  readonly valueHash: string;
  readonly cached: { readonly imageKey: string; readonly width: number; readonly height: number } | null;
}

export interface RenderedRecord {
  readonly messageId: number;
  readonly trackingId: string;
  readonly databaseId: number;
  readonly barcodeValue: string;
  readonly phone: string;
  readonly campaignId: number | null;
  readonly imageKey: string;
  readonly detail: Record<string, unknown>;
}

/**
 * The barcode worker's queries, in plain SQL: this is the hot path of every render, and one
 * statement per step (no ORM query planning per job) is what keeps the worker near raw bwip-js.
 */
@Injectable()
export class BarcodeRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** The message, its database and any cached render of its value, in one round trip. */
  async findForRender(trackingId: string): Promise<RenderSubject | null> {
    const rows = await this.prisma.$queryRaw<Array<Omit<RenderSubject, 'cached'> & { cachedKey: string | null; cachedWidth: number | null; cachedHeight: number | null }>>`
      SELECT m.id, m.status::text AS status, m.image_key AS "imageKey", m.database_id AS "databaseId",
             m.barcode_value AS "barcodeValue", m.to_number AS "toNumber", m.campaign_id AS "campaignId",
             d.symbology::text AS symbology, d.settings, d.settings_version AS "settingsVersion",
             h.value_hash AS "valueHash",
             r.image_key AS "cachedKey", r.width AS "cachedWidth", r.height AS "cachedHeight"
      FROM messages m
      JOIN barcode_databases d ON d.id = m.database_id
      CROSS JOIN LATERAL (SELECT encode(sha256(convert_to(m.barcode_value, 'UTF8')), 'hex') AS value_hash) h
      LEFT JOIN rendered_barcodes r
        ON r.database_id = m.database_id AND r.settings_version = d.settings_version AND r.value_hash = h.value_hash
      WHERE m.tracking_id = ${trackingId}`;
    const row = rows[0];
    if (row === undefined) return null;
    const { cachedKey, cachedWidth, cachedHeight, ...subject } = row;
    return {
      ...subject,
      cached: cachedKey === null ? null : { imageKey: cachedKey, width: cachedWidth ?? 0, height: cachedHeight ?? 0 },
    };
  }

  async saveRender(
    databaseId: number,
    settingsVersion: number,
    valueHash: string,
    image: { imageKey: string; width: number; height: number; modulePx: number },
  ): Promise<void> {
    await this.prisma.$executeRaw`
      INSERT INTO rendered_barcodes (database_id, settings_version, value_hash, image_key, width, height, module_px)
      VALUES (${databaseId}, ${settingsVersion}, ${valueHash}, ${image.imageKey}, ${image.width}, ${image.height}, ${image.modulePx})
      ON CONFLICT DO NOTHING`;
  }

  /**
   * One statement, so one round trip and atomic: the issuance (unique per message, so a rerun
   * records it once), the conditional ACCEPTED -> RENDERED step and its event (written only when
   * the step happened). Returns whether the step happened.
   */
  async recordRendered(record: RenderedRecord): Promise<boolean> {
    const rows = await this.prisma.$queryRaw<Array<{ moved: number }>>`
      WITH moved AS (
        UPDATE messages SET status = 'RENDERED', image_key = ${record.imageKey}, updated_at = now()
        WHERE id = ${record.messageId} AND status = 'ACCEPTED'
        RETURNING id
      ), event AS (
        INSERT INTO message_events (message_id, status, detail)
        SELECT id, 'RENDERED'::"MessageStatus", ${JSON.stringify(record.detail)}::jsonb FROM moved
      ), issued AS (
        INSERT INTO issued_barcodes (database_id, barcode_id, phone, campaign_id, message_id, tracking_id, image_key)
        VALUES (${record.databaseId}, ${record.barcodeValue}, ${record.phone}, ${record.campaignId}, ${record.messageId}, ${record.trackingId}, ${record.imageKey})
        ON CONFLICT (message_id) DO NOTHING
      )
      SELECT count(*)::int AS moved FROM moved`;
    return (rows[0]?.moved ?? 0) > 0;
  }
}
