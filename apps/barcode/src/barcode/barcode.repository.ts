import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { MessageStatus, type Symbology } from '@mms/contracts';
import { PG_POOL, recordTransitions } from '@mms/db';

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
  /** The id of the partner request that made the message (its jobs log with it). */
  readonly requestId: string | null;
}

/** One issued barcode: the value given to the phone by the message, with its image. */
export interface Issuance {
  readonly messageId: number;
  readonly trackingId: string;
  readonly databaseId: number;
  readonly barcodeValue: string;
  readonly phone: string;
  readonly campaignId: number | null;
  readonly imageKey: string;
}

export interface RenderedRecord extends Issuance {
  /** The RENDERED event's detail. */
  readonly detail: Record<string, unknown>;
}

/** A fresh render, cached per (database, settings version, value). */
export interface RenderCacheRow {
  readonly databaseId: number;
  readonly settingsVersion: number;
  readonly valueHash: string;
  readonly imageKey: string;
  readonly width: number;
  readonly height: number;
  readonly modulePx: number;
}

/**
 * The barcode worker's queries, in plain SQL on the process's `pg` pool: this is the hot path of
 * every render. Each step takes a batch of messages (the jobs the worker holds at once) in one
 * statement, so a batch costs a fixed number of round trips (docs/performance.md).
 */
@Injectable()
export class BarcodeRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** The message, its database and any cached render of its value, in one round trip. */
  async findForRender(trackingId: string): Promise<RenderSubject | null> {
    return (await this.findForRenderMany([trackingId])).get(trackingId) ?? null;
  }

  /** Many messages' subjects (a worker's batch of jobs) in one round trip, by tracking id. */
  async findForRenderMany(trackingIds: readonly string[]): Promise<Map<string, RenderSubject>> {
    if (trackingIds.length === 0) return new Map();
    const { rows } = await this.pool.query<
      Omit<RenderSubject, 'cached'> & { trackingId: string; cachedKey: string | null; cachedWidth: number | null; cachedHeight: number | null }
    >({
      name: 'barcode-find-for-render',
      text: `SELECT m.tracking_id AS "trackingId", m.id, m.status::text AS status, m.image_key AS "imageKey", m.database_id AS "databaseId",
             m.barcode_value AS "barcodeValue", m.to_number AS "toNumber", m.campaign_id AS "campaignId",
             m.request_id AS "requestId",
             d.symbology::text AS symbology, d.settings, d.settings_version AS "settingsVersion",
             h.value_hash AS "valueHash",
             r.image_key AS "cachedKey", r.width AS "cachedWidth", r.height AS "cachedHeight"
      FROM messages m
      JOIN barcode_databases d ON d.id = m.database_id
      CROSS JOIN LATERAL (SELECT encode(sha256(convert_to(m.barcode_value, 'UTF8')), 'hex') AS value_hash) h
      LEFT JOIN rendered_barcodes r
        ON r.database_id = m.database_id AND r.settings_version = d.settings_version AND r.value_hash = h.value_hash
      WHERE m.tracking_id = ANY ($1::text[])`,
      values: [trackingIds],
    });
    return new Map(
      rows.map(({ trackingId, cachedKey, cachedWidth, cachedHeight, ...subject }) => [
        trackingId,
        { ...subject, cached: cachedKey === null ? null : { imageKey: cachedKey, width: cachedWidth ?? 0, height: cachedHeight ?? 0 } },
      ]),
    );
  }

  /**
   * The render-cache rows of a batch's fresh renders and the issuances of all its messages, in
   * one statement. Both are written once: the cache row per (database, settings version, value),
   * the issuance per message, so a rerun writes nothing new. Call it after the images are stored
   * (a cache row must never name an image the store does not hold) and before the RENDERED step
   * (a message past ACCEPTED is not issued again).
   */
  async saveRendersAndIssuances(renders: readonly RenderCacheRow[], issuances: readonly Issuance[]): Promise<void> {
    if (renders.length === 0 && issuances.length === 0) return;
    await this.pool.query({
      name: 'barcode-save-renders-and-issuances',
      text: `WITH cache AS (
         INSERT INTO rendered_barcodes (database_id, settings_version, value_hash, image_key, width, height, module_px, created_at)
         SELECT *, (now() AT TIME ZONE 'UTC')
         FROM unnest($1::int[], $2::int[], $3::text[], $4::text[], $5::int[], $6::int[], $7::int[])
         ON CONFLICT DO NOTHING
       )
       INSERT INTO issued_barcodes (database_id, barcode_id, phone, campaign_id, message_id, tracking_id, image_key, issued_at)
       SELECT *, (now() AT TIME ZONE 'UTC')
       FROM unnest($8::int[], $9::text[], $10::text[], $11::int[], $12::int[], $13::text[], $14::text[])
       ON CONFLICT (message_id) DO NOTHING`,
      values: [
        renders.map((r) => r.databaseId),
        renders.map((r) => r.settingsVersion),
        renders.map((r) => r.valueHash),
        renders.map((r) => r.imageKey),
        renders.map((r) => r.width),
        renders.map((r) => r.height),
        renders.map((r) => r.modulePx),
        issuances.map((i) => i.databaseId),
        issuances.map((i) => i.barcodeValue),
        issuances.map((i) => i.phone),
        issuances.map((i) => i.campaignId),
        issuances.map((i) => i.messageId),
        issuances.map((i) => i.trackingId),
        issuances.map((i) => i.imageKey),
      ],
    });
  }

  /**
   * The conditional ACCEPTED -> RENDERED steps with their events (the message ledger) for a batch.
   * Returns the ids of the messages that moved.
   */
  async recordRenderedMany(records: readonly RenderedRecord[]): Promise<ReadonlySet<number>> {
    const recorded = await recordTransitions(
      this.pool,
      records.map((record) => ({
        messageId: record.messageId,
        from: [MessageStatus.Accepted],
        to: MessageStatus.Rendered,
        detail: record.detail,
        set: { imageKey: record.imageKey },
      })),
    );
    return recorded.moved;
  }
}
