import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { MessageStatus, Symbology } from '@mms/contracts';
import { PG_POOL, recordTransition } from '@mms/db';

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
 * The barcode worker's queries, in plain SQL on a plain `pg` pool: this is the hot path of every
 * render, and one statement per step without an ORM's per-query work is what keeps the worker near
 * raw bwip-js (docs/performance.md). Everything else in the fleet goes through Prisma.
 */
@Injectable()
export class BarcodeRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** The message, its database and any cached render of its value, in one round trip. */
  async findForRender(trackingId: string): Promise<RenderSubject | null> {
    const { rows } = await this.pool.query<Omit<RenderSubject, 'cached'> & { cachedKey: string | null; cachedWidth: number | null; cachedHeight: number | null }>(
      `SELECT m.id, m.status::text AS status, m.image_key AS "imageKey", m.database_id AS "databaseId",
             m.barcode_value AS "barcodeValue", m.to_number AS "toNumber", m.campaign_id AS "campaignId",
             d.symbology::text AS symbology, d.settings, d.settings_version AS "settingsVersion",
             h.value_hash AS "valueHash",
             r.image_key AS "cachedKey", r.width AS "cachedWidth", r.height AS "cachedHeight"
      FROM messages m
      JOIN barcode_databases d ON d.id = m.database_id
      CROSS JOIN LATERAL (SELECT encode(sha256(convert_to(m.barcode_value, 'UTF8')), 'hex') AS value_hash) h
      LEFT JOIN rendered_barcodes r
        ON r.database_id = m.database_id AND r.settings_version = d.settings_version AND r.value_hash = h.value_hash
      WHERE m.tracking_id = $1`,
      [trackingId],
    );
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
    await this.pool.query(
      `INSERT INTO rendered_barcodes (database_id, settings_version, value_hash, image_key, width, height, module_px, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, (now() AT TIME ZONE 'UTC'))
       ON CONFLICT DO NOTHING`,
      [databaseId, settingsVersion, valueHash, image.imageKey, image.width, image.height, image.modulePx],
    );
  }

  /**
   * The conditional ACCEPTED -> RENDERED step with its event (the message ledger), and the
   * issuance, unique per message so a rerun records it once. Returns whether the step happened.
   */
  async recordRendered(record: RenderedRecord): Promise<boolean> {
    const moved = await recordTransition(this.pool, {
      messageId: record.messageId,
      from: ['ACCEPTED'],
      to: 'RENDERED',
      detail: record.detail,
      set: { imageKey: record.imageKey },
    });
    await this.pool.query(
      `INSERT INTO issued_barcodes (database_id, barcode_id, phone, campaign_id, message_id, tracking_id, image_key, issued_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, (now() AT TIME ZONE 'UTC'))
       ON CONFLICT (message_id) DO NOTHING`,
      [record.databaseId, record.barcodeValue, record.phone, record.campaignId, record.messageId, record.trackingId, record.imageKey],
    );
    return moved;
  }
}
