import { JobName, QueueName } from '@mms/contracts';
import type { MessageStatus } from '@mms/contracts';
import type { Pool } from 'pg';
import { SqlClient, withTransaction } from './pg-pool';

/**
 * The message ledger: the one module that writes a message's status, its status events and its
 * `updated_at`, for every app. Plain SQL on the process's pool (or a client inside the caller's
 * transaction), because every step of every message passes through here: each statement is one
 * round trip, and the batch forms take many messages in that same one.
 *
 * Times are written as UTC in `timestamp without time zone` columns, as Prisma writes them.
 */

const NOW = `(now() AT TIME ZONE 'UTC')`;

/** Columns a step sets together with the status (null or absent: left as they are). */
export interface TransitionColumns {
  readonly imageKey?: string | null;
  readonly transport?: string | null;
  readonly carrierMessageId?: string | null;
  readonly handset?: string | null;
  readonly failureReason?: string | null;
}

export interface Transition {
  readonly messageId: number;
  /** Statuses the message may be in for this step to apply. */
  readonly from: readonly MessageStatus[];
  readonly to: MessageStatus;
  readonly detail?: Record<string, unknown>;
  readonly set?: TransitionColumns;
}

/** An outbox row as written: what OutboxDispatcher hands to BullMQ right after the commit. */
export interface OutboxRow {
  readonly id: number;
  readonly jobName: string;
  readonly payload: unknown;
}

/** What a batch of steps did: the messages that moved, and the jobs their steps announced. */
export interface RecordedSteps {
  readonly moved: ReadonlySet<number>;
  /** The postback jobs of the steps that partners hear of, in the outbox: dispatch after the commit. */
  readonly announced: readonly OutboxRow[];
}

/** Partners hear of these steps (skycore/API.md, Postbacks): N101, N102, E101. */
const POSTBACK_CODE_SQL = `CASE mv.to_status
  WHEN 'SUBMITTED' THEN 'N101' WHEN 'DELIVERED' THEN 'N102' WHEN 'EXPIRED' THEN 'N102'
  WHEN 'REJECTED' THEN 'N102' WHEN 'FAILED' THEN 'E101' END`;

/**
 * Moves a message to its next status and records the event, in one statement. Conditional on the
 * current status, so a job that runs twice records the step once: `moved` lacks the message (and
 * nothing is written) when it is no longer in one of `from`.
 */
export function recordTransition(db: SqlClient, t: Transition): Promise<RecordedSteps> {
  return recordTransitions(db, [t]);
}

/**
 * Many steps in one statement (a worker's batch). Each step is conditional on its message's
 * current status, exactly as recordTransition. A step partners hear of, for an account with a
 * postback URL, also writes its postback and that postback's outbox row in the same statement:
 * a step is never recorded without its notice, nor a notice without its step.
 *
 * A step to FAILED from ACCEPTED or RENDERED only (no MMSC has accepted the message) gives the
 * message's credit back in the same statement, recorded in credit_returns: once per message, since
 * the move is conditional and credit_returns.message_id unique. A message that was SUBMITTED keeps
 * its debit. The account rows are locked in id order, as acceptMessages locks them.
 */
export async function recordTransitions(db: SqlClient, steps: readonly Transition[]): Promise<RecordedSteps> {
  if (steps.length === 0) return { moved: new Set(), announced: [] };
  const column = <K extends keyof TransitionColumns>(name: K) => steps.map((s) => s.set?.[name] ?? null);
  const { rows } = await db.query<{ moved: number[] | null; announced: OutboxRow[] }>({
    name: 'ledger-transitions',
    text: `WITH step AS (
       SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::jsonb[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
         AS s(message_id, from_list, to_status, detail, image_key, transport, carrier_message_id, handset, failure_reason)
     ), moved AS (
       UPDATE messages m SET
         status = s.to_status::"MessageStatus",
         image_key = COALESCE(s.image_key, m.image_key),
         transport = COALESCE(s.transport, m.transport),
         carrier_message_id = COALESCE(s.carrier_message_id, m.carrier_message_id),
         handset = COALESCE(s.handset, m.handset),
         failure_reason = COALESCE(s.failure_reason, m.failure_reason),
         updated_at = ${NOW}
       FROM step s
       WHERE m.id = s.message_id AND m.status::text = ANY (string_to_array(s.from_list, ','))
       RETURNING m.id, m.account_id, s.to_status, s.detail, s.from_list, m.failure_reason
     ), returned AS (
       INSERT INTO credit_returns (account_id, message_id, amount, reason, created_at)
       SELECT account_id, id, 1, coalesce(failure_reason, 'failed'), ${NOW} FROM moved
       WHERE to_status = 'FAILED' AND string_to_array(from_list, ',') <@ ARRAY['ACCEPTED', 'RENDERED']
       ORDER BY id
       ON CONFLICT (message_id) DO NOTHING
       RETURNING account_id, amount
     ), refunded AS (
       SELECT account_id, sum(amount)::int AS amount FROM returned GROUP BY account_id
     ), locked AS (
       SELECT a.id FROM accounts a WHERE a.id IN (SELECT account_id FROM refunded) ORDER BY a.id FOR UPDATE
     ), credited AS (
       UPDATE accounts a SET credits = a.credits + r.amount
       FROM refunded r JOIN locked l ON l.id = r.account_id
       WHERE a.id = r.account_id
     ), event AS (
       INSERT INTO message_events (message_id, status, detail, at)
       SELECT id, to_status::"MessageStatus", detail, ${NOW} FROM moved
     ), notice AS (
       INSERT INTO postbacks (message_id, account_id, code, occurred_at, detail, next_attempt_at, created_at)
       SELECT mv.id, mv.account_id, (${POSTBACK_CODE_SQL})::"PostbackCode", ${NOW},
         mv.detail || jsonb_build_object('status', mv.to_status), ${NOW}, ${NOW}
       FROM moved mv JOIN accounts a ON a.id = mv.account_id
       WHERE a.postback_url IS NOT NULL AND (${POSTBACK_CODE_SQL}) IS NOT NULL
         AND NOT coalesce((mv.detail->>'unannounced')::boolean, false)
       ORDER BY mv.id
       RETURNING id
     ), outboxed AS (
       INSERT INTO outbox (queue, job_name, job_id, payload, created_at)
       SELECT $10, $11, 'postback-' || id, jsonb_build_object('postbackId', id), ${NOW} FROM notice
       RETURNING id, job_name, payload
     )
     SELECT (SELECT array_agg(id) FROM moved) AS moved,
       (SELECT coalesce(json_agg(json_build_object('id', id, 'jobName', job_name, 'payload', payload) ORDER BY id), '[]'::json)
        FROM outboxed) AS announced`,
    values: [
      steps.map((s) => s.messageId),
      steps.map((s) => s.from.join(',')),
      steps.map((s) => s.to),
      steps.map((s) => JSON.stringify(s.detail ?? {})),
      column('imageKey'),
      column('transport'),
      column('carrierMessageId'),
      column('handset'),
      column('failureReason'),
      QueueName.Postback,
      JobName.SendPostback,
    ],
  });
  const row = rows[0];
  return { moved: new Set(row?.moved ?? []), announced: row?.announced ?? [] };
}

/** An event that changes no status (a report after a final one, a Deferred report...). */
export async function recordEvent(db: SqlClient, messageId: number, status: MessageStatus, detail: Record<string, unknown>): Promise<void> {
  await db.query(`INSERT INTO message_events (message_id, status, detail, at) VALUES ($1, $2::"MessageStatus", $3::jsonb, ${NOW})`, [
    messageId,
    status,
    JSON.stringify(detail),
  ]);
}

/**
 * Marks a message FAILED after its job failed for good (a permanent error, or retries exhausted).
 * A message already past RENDERED (or failed) is left as it is (nothing moved). `statusDetails`
 * is what the partner's E101 says (the reason itself when not given). The move gives the
 * message's credit back (recordTransitions), since no MMSC ever accepted it.
 */
export async function markMessageFailed(
  db: SqlClient,
  trackingId: string,
  stage: string,
  reason: string,
  statusDetails: string = reason,
): Promise<RecordedSteps> {
  const { rows } = await db.query<{ id: number }>('SELECT id FROM messages WHERE tracking_id = $1', [trackingId]);
  const message = rows[0];
  if (message === undefined) return { moved: new Set(), announced: [] };
  return recordTransition(db, {
    messageId: message.id,
    from: ['ACCEPTED', 'RENDERED'],
    to: 'FAILED',
    detail: { stage, reason, statusDetails },
    set: { failureReason: `${stage}: ${reason}`.slice(0, 1000) },
  });
}

/** A message as the partner API accepted it, before it has an id. */
export interface NewMessage {
  readonly accountId: number;
  readonly templateId: number;
  readonly databaseId: number;
  readonly barcodeValue: string;
  readonly toNumber: string;
  readonly toCountry: string;
  readonly requestedFrom: string;
  readonly senderCode: string;
  readonly campaignId: number | null;
  readonly customSubject: string | null;
  readonly customTexts: ReadonlyArray<{ readonly slide: string; readonly value: string }>;
  readonly mergeData: Readonly<Record<string, string>>;
  readonly device: string | null;
  readonly ddmTitle: string | null;
  readonly ddmText: string | null;
  readonly ddmTimeoutMinutes: number | null;
  /** Where the request came from, recorded in the ACCEPTED event. */
  readonly via: string;
  /** The id of the request that asked for it (X-Request-Id), carried into its jobs' logs, MM7 and postback calls. */
  readonly requestId?: string | null;
}

/** The job the outbox announces for each accepted message; its payload is `{ trackingId }`. */
export interface AcceptJob {
  readonly queue: QueueName;
  readonly jobName: JobName;
}

export type AcceptOutcome =
  | { readonly accepted: true; readonly messageId: number; readonly trackingId: string; readonly outboxId: number }
  | { readonly accepted: false; readonly reason: 'no-credit' };

/**
 * Accepts a batch of messages in one statement, so one round trip and one transaction: per
 * account, takes as many credits as it has up to the number asked (the account rows locked in id
 * order, so concurrent batches of several gateways never deadlock and never overspend); admits
 * that many messages of the account in batch order; inserts them with their ACCEPTED events, the
 * handsets they name and one outbox row each. Messages beyond an account's credits are not
 * written and come back `no-credit`. The tracking id is base64("MMS_<id>"), as trackingIdOf
 * writes it.
 */
export async function acceptMessages(db: SqlClient, batch: readonly NewMessage[], job: AcceptJob, commitToken: string | null = null): Promise<AcceptOutcome[]> {
  if (batch.length === 0) return [];
  const field = <K extends keyof NewMessage>(name: K) => batch.map((m) => m[name]);
  const { rows } = await db.query<{ ord: number; id: number; tracking_id: string; outbox_id: number }>({
    name: 'ledger-accept',
    text: `WITH input AS (
       SELECT * FROM unnest(
         $1::int[], $2::int[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int[],
         $10::text[], $11::jsonb[], $12::jsonb[], $13::text[], $14::text[], $15::text[], $16::int[], $17::text[], $20::text[]
       ) WITH ORDINALITY AS i(account_id, template_id, database_id, barcode_value, to_number, to_country, requested_from,
         sender_code, campaign_id, custom_subject, custom_texts, merge_data, device, ddm_title, ddm_text, ddm_timeout_minutes, via,
         request_id, ord)
     ), wanted AS (
       SELECT account_id, count(*)::int AS n FROM input GROUP BY account_id
     ), locked AS (
       SELECT a.id, a.credits FROM accounts a WHERE a.id IN (SELECT account_id FROM wanted) ORDER BY a.id FOR UPDATE
     ), charged AS (
       UPDATE accounts a SET credits = a.credits - GREATEST(LEAST(l.credits, w.n), 0)
       FROM locked l JOIN wanted w ON w.account_id = l.id
       WHERE a.id = l.id
       RETURNING a.id, GREATEST(LEAST(l.credits, w.n), 0) AS granted
     ), admitted AS (
       SELECT nextval('messages_id_seq'::regclass)::int AS id, r.*
       FROM (SELECT i.*, row_number() OVER (PARTITION BY i.account_id ORDER BY i.ord) AS rank FROM input i) r
       JOIN charged c ON c.id = r.account_id
       WHERE r.rank <= c.granted
     ), inserted AS (
       INSERT INTO messages (id, tracking_id, account_id, template_id, database_id, barcode_value, to_number, to_country,
         requested_from, sender_code, campaign_id, custom_subject, custom_texts, merge_data, device, ddm_title, ddm_text,
         ddm_timeout_minutes, request_id, status, created_at, updated_at)
       SELECT id, encode(convert_to('MMS_' || id, 'UTF8'), 'base64'), account_id, template_id, database_id, barcode_value,
         to_number, to_country, requested_from, sender_code, campaign_id, custom_subject, custom_texts, merge_data, device,
         ddm_title, ddm_text, ddm_timeout_minutes, request_id, 'ACCEPTED', ${NOW}, ${NOW}
       FROM admitted
       RETURNING id, tracking_id
     ), event AS (
       INSERT INTO message_events (message_id, status, detail, at)
       SELECT a.id, 'ACCEPTED', jsonb_strip_nulls(jsonb_build_object('via', a.via, 'commit', $21::text)), ${NOW}
       FROM admitted a JOIN inserted USING (id)
     ), device AS (
       INSERT INTO phone_devices (phone, device, source, updated_at)
       SELECT DISTINCT ON (to_number) to_number, device, 'partner-api', ${NOW}
       FROM admitted WHERE device IS NOT NULL ORDER BY to_number, ord DESC
       ON CONFLICT (phone) DO UPDATE SET device = EXCLUDED.device, source = EXCLUDED.source, updated_at = EXCLUDED.updated_at
     ), outboxed AS (
       INSERT INTO outbox (queue, job_name, job_id, payload, created_at)
       SELECT $18, $19, tracking_id, jsonb_build_object('trackingId', tracking_id), ${NOW} FROM inserted
       RETURNING id, job_id
     )
     SELECT a.ord::int AS ord, i.id, i.tracking_id, o.id AS outbox_id
     FROM admitted a JOIN inserted i USING (id) JOIN outboxed o ON o.job_id = i.tracking_id`,
    values: [
      field('accountId'),
      field('templateId'),
      field('databaseId'),
      field('barcodeValue'),
      field('toNumber'),
      field('toCountry'),
      field('requestedFrom'),
      field('senderCode'),
      field('campaignId'),
      field('customSubject'),
      batch.map((m) => JSON.stringify(m.customTexts)),
      batch.map((m) => JSON.stringify(m.mergeData)),
      field('device'),
      field('ddmTitle'),
      field('ddmText'),
      field('ddmTimeoutMinutes'),
      field('via'),
      job.queue,
      job.jobName,
      batch.map((m) => m.requestId ?? null),
      commitToken,
    ],
  });
  const admitted = new Map(rows.map((row) => [Number(row.ord), row]));
  return batch.map((_, index): AcceptOutcome => {
    const row = admitted.get(index + 1);
    return row === undefined
      ? { accepted: false, reason: 'no-credit' }
      : { accepted: true, messageId: row.id, trackingId: row.tracking_id, outboxId: row.outbox_id };
  });
}

/** What withdrawing the accepts of commits whose outcome was lost did. */
export interface Withdrawal {
  /** Tracking ids moved to FAILED before any MMSC saw them. */
  readonly withdrawn: readonly string[];
  /** Tracking ids stored by those commits that had already gone further (SUBMITTED or later). */
  readonly tooLate: readonly string[];
}

/**
 * Undoes the accepts of commits the gateway answered E503 because it never learnt their outcome
 * (the connection to PostgreSQL broke after the statement was sent: it may have committed). The
 * partner was told the message was not accepted and may send it again, so a message such a commit
 * stored must not go out: it moves to FAILED (credit returned, no postback: the partner never got
 * its tracking id) and its render job's outbox row goes. Found by the commit token that
 * acceptMessages writes into each ACCEPTED event; `since` bounds the events read. Idempotent.
 */
export async function withdrawAccepts(db: Pool, commitTokens: readonly string[], since: Date): Promise<Withdrawal> {
  if (commitTokens.length === 0) return { withdrawn: [], tooLate: [] };
  return withTransaction(db, async (client) => {
    const { rows } = await client.query<{ id: number; tracking_id: string; status: string }>(
      `SELECT m.id, m.tracking_id, m.status::text AS status FROM message_events e JOIN messages m ON m.id = e.message_id
       WHERE e.status = 'ACCEPTED' AND e.at >= ($2::timestamptz AT TIME ZONE 'UTC') AND e.detail->>'commit' = ANY($1::text[])
       ORDER BY m.id FOR UPDATE OF m`,
      [[...commitTokens], since.toISOString()],
    );
    const open = rows.filter((r) => r.status === 'ACCEPTED' || r.status === 'RENDERED');
    const reason = 'accept: the commit outcome was lost with the database connection and the partner was answered E503';
    await recordTransitions(
      client,
      open.map((r) => ({ messageId: r.id, from: ['ACCEPTED', 'RENDERED'], to: 'FAILED', detail: { stage: 'accept', reason, unannounced: true }, set: { failureReason: reason } })),
    );
    await client.query(`DELETE FROM outbox WHERE job_name = $2 AND job_id = ANY($1::text[])`, [open.map((r) => r.tracking_id), JobName.RenderBarcode]);
    return {
      withdrawn: open.map((r) => r.tracking_id),
      tooLate: rows.filter((r) => r.status !== 'ACCEPTED' && r.status !== 'RENDERED' && r.status !== 'FAILED').map((r) => r.tracking_id),
    };
  });
}
