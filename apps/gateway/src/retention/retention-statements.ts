import { MessageStatus, isFinal } from '@mms/contracts';
import type { SqlClient } from '@mms/db';

/**
 * The retention pass's statements (docs/operations.md, Retention). Each deletes one bounded batch
 * in one autocommit statement, so no lock or transaction outlives it, and states its whole
 * condition in its WHERE clauses: what the statement finds is what is true when it deletes, never
 * a list read earlier. Times are `timestamp without time zone` in UTC, as the ledger writes them.
 */

/** The statuses a message ends in; anything else is still in flight. */
export const FINAL_STATUSES: readonly MessageStatus[] = Object.values(MessageStatus).filter(isFinal);

const OLDER_THAN_DAYS = (days: string) => `(now() AT TIME ZONE 'UTC') - make_interval(days => ${days})`;

/**
 * Message `m` is done with: in one of `statuses` (a parameter), and none of its postbacks still
 * PENDING (its notice is still being sent). Anything else is in flight, and so is all it has.
 */
const DONE_WITH = (m: string, statuses: string) =>
  `${m}.status = ANY (${statuses}::"MessageStatus"[]) AND NOT EXISTS (SELECT 1 FROM postbacks p WHERE p.message_id = ${m}.id AND p.state = 'PENDING')`;

/**
 * Deletes up to `limit` messages done with (DONE_WITH `statuses`) and last changed more than
 * `days` ago, with their events, postbacks and postback attempts (ON DELETE CASCADE); their issued
 * barcodes stay, with message_id null (ON DELETE SET NULL). Rows a worker holds are skipped, not
 * waited for. The debits of the deleted messages are added to retired_debits in the same statement.
 */
export async function deleteMessages(db: SqlClient, statuses: readonly MessageStatus[], days: number, limit: number): Promise<number> {
  const { rows } = await db.query<{ deleted: number }>(
    `WITH doomed AS (
       SELECT m.id FROM messages m
       WHERE ${DONE_WITH('m', '$1')} AND m.updated_at < ${OLDER_THAN_DAYS('$2')}
       LIMIT $3
       FOR UPDATE OF m SKIP LOCKED
     ), retired AS (
       DELETE FROM messages m USING doomed d
       WHERE m.id = d.id AND ${DONE_WITH('m', '$1')} AND m.updated_at < ${OLDER_THAN_DAYS('$2')}
       RETURNING m.account_id, m.created_at
     ), tallied AS (
       INSERT INTO retired_debits (account_id, day, messages)
       SELECT account_id, created_at::date, count(*)::int FROM retired GROUP BY 1, 2
       ON CONFLICT (account_id, day) DO UPDATE SET messages = retired_debits.messages + EXCLUDED.messages
     )
     SELECT count(*)::int AS deleted FROM retired`,
    [statuses, days, limit],
  );
  return rows[0]?.deleted ?? 0;
}

/** Where a walk over a table stopped: the next batch starts after it. */
export interface EventCursor {
  readonly at: string;
  readonly id: number;
}

/**
 * One batch of the walk over events older than `days`, in (at, id) order after `after`: deletes
 * those of messages done with (DONE_WITH a final status). Events of a message in flight are stepped
 * over (they go with their message), so the walk always moves on. `next` is undefined once the
 * walk reached the end.
 */
export async function deleteEvents(
  db: SqlClient,
  days: number,
  after: EventCursor | undefined,
  limit: number,
): Promise<{ deleted: number; next: EventCursor | undefined }> {
  const { rows } = await db.query<{ deleted: number; lastAt: string | null; lastId: number | null; seen: number }>(
    `WITH slice AS (
       SELECT e.id, e.at FROM message_events e
       WHERE e.at < ${OLDER_THAN_DAYS('$1')} AND (e.at, e.id) > ($2::timestamp, $3::int)
       ORDER BY e.at, e.id LIMIT $4
     ), gone AS (
       DELETE FROM message_events e USING slice s, messages m
       WHERE e.id = s.id AND m.id = e.message_id AND ${DONE_WITH('m', '$5')}
       RETURNING e.id
     ), last AS (
       SELECT at::text AS at, id FROM slice ORDER BY at DESC, id DESC LIMIT 1
     )
     SELECT (SELECT count(*)::int FROM gone) AS deleted, (SELECT count(*)::int FROM slice) AS seen,
       (SELECT at FROM last) AS "lastAt", (SELECT id FROM last) AS "lastId"`,
    [days, after?.at ?? '-infinity', after?.id ?? 0, limit, FINAL_STATUSES],
  );
  const row = rows[0];
  const next = row !== undefined && row.seen === limit && row.lastAt !== null && row.lastId !== null ? { at: row.lastAt, id: row.lastId } : undefined;
  return { deleted: row?.deleted ?? 0, next };
}

/**
 * Deletes up to `limit` delivery reports received more than `days` ago and already applied (an
 * unapplied one is still a job's work, and kept for an operator if that job gave up), unless the
 * message they were applied to is still in flight (a Deferred report of a SUBMITTED message).
 */
export async function deleteDeliveryReports(db: SqlClient, days: number, limit: number): Promise<number> {
  const reportsDue = `r.received_at < ${OLDER_THAN_DAYS('$1')} AND r.processed_at IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = r.message_id AND NOT (${DONE_WITH('m', '$3')}))`;
  const { rowCount } = await db.query(
    `DELETE FROM delivery_reports r
     WHERE r.id IN (SELECT r.id FROM delivery_reports r WHERE ${reportsDue} LIMIT $2 FOR UPDATE OF r SKIP LOCKED)
       AND ${reportsDue}`,
    [days, limit, FINAL_STATUSES],
  );
  return rowCount ?? 0;
}

/**
 * One batch of the walk over stored images in key order after `after`: deletes those stored more
 * than `days` ago that nothing needs, with the render-cache rows that name them (so the cache never
 * offers an image the store lacks). Needed: any message's image (every message still in the table
 * is kept or in flight), a template slide's media, and the cache row an ACCEPTED message's render
 * job looks up (as the barcode worker does: its database's current settings version and the
 * value's SHA-256), since that job may be about to record the image. `next` is undefined once the
 * walk reached the end.
 */
export async function deleteImages(
  db: SqlClient,
  days: number,
  after: string | undefined,
  limit: number,
): Promise<{ images: number; cacheRows: number; next: string | undefined }> {
  const { rows } = await db.query<{ images: number; cacheRows: number; last: string | null; seen: number }>(
    `WITH slice AS (
       SELECT key, created_at FROM stored_images WHERE key > $1 ORDER BY key LIMIT $2
     ), looked_up AS (
       SELECT r.image_key FROM messages m
       JOIN barcode_databases d ON d.id = m.database_id
       JOIN rendered_barcodes r ON r.database_id = m.database_id AND r.settings_version = d.settings_version
         AND r.value_hash = encode(sha256(convert_to(m.barcode_value, 'UTF8')), 'hex')
       WHERE m.status = 'ACCEPTED'
     ), doomed AS (
       SELECT s.key FROM slice s
       WHERE s.created_at < ${OLDER_THAN_DAYS('$3')}
         AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.image_key = s.key)
         AND NOT EXISTS (SELECT 1 FROM template_slides t WHERE t.media_key = s.key)
         AND NOT EXISTS (SELECT 1 FROM looked_up l WHERE l.image_key = s.key)
     ), uncached AS (
       DELETE FROM rendered_barcodes r USING doomed d WHERE r.image_key = d.key RETURNING 1
     ), gone AS (
       DELETE FROM stored_images si USING doomed d WHERE si.key = d.key RETURNING 1
     )
     SELECT (SELECT count(*)::int FROM gone) AS images, (SELECT count(*)::int FROM uncached) AS "cacheRows",
       (SELECT count(*)::int FROM slice) AS seen, (SELECT max(key) FROM slice) AS last`,
    [after ?? '', limit, days],
  );
  const row = rows[0];
  const next = row !== undefined && row.seen === limit && row.last !== null ? row.last : undefined;
  return { images: row?.images ?? 0, cacheRows: row?.cacheRows ?? 0, next };
}
