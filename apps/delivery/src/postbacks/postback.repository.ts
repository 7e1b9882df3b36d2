import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { PostbackCode } from '@mms/contracts';
import { PG_POOL } from '@mms/db';
import type { PostbackForm, PostbackState } from '@mms/db';
import type { AttemptResult } from './postback-http';

const NOW = `(now() AT TIME ZONE 'UTC')`;
/** Milliseconds from the database's now to a timestamp column (<= 0: passed), so hosts' clocks never matter. */
const msUntil = (column: string) => `(extract(epoch FROM (${column} - ${NOW})) * 1000)::float8`;


/** Where and how an account takes its postbacks. */
export interface PostbackAccount {
  readonly id: number;
  readonly url: string | null;
  readonly form: PostbackForm;
  readonly bundle: boolean;
  readonly secret: string;
  readonly retryDelayMs: number | null;
  readonly maxAttempts: number | null;
}

/** A postback as its job finds it: whether it is due, and what holds it back. */
export interface PostbackDue {
  readonly id: number;
  readonly state: PostbackState;
  readonly account: PostbackAccount;
  /** Milliseconds until the next attempt may start (<= 0: due). */
  readonly dueInMs: number;
  /** Milliseconds left of another worker's hold on it (null: none). */
  readonly leasedForMs: number | null;
  /** Milliseconds since it was written (the bundle window counts from there). */
  readonly ageMs: number;
  /** The earliest unfinished notice of the same message, written before this one (it goes first). */
  readonly waitsFor: { readonly id: number; readonly dueInMs: number; readonly leasedForMs: number | null } | null;
  /** The id of the partner request that made the message (the job logs with it). */
  readonly requestId: string | null;
}

/** A postback claimed for an attempt, with everything its document needs. */
export interface ClaimedPostback {
  readonly id: number;
  readonly attemptId: number;
  readonly attempt: number;
  readonly code: PostbackCode;
  readonly occurredAt: Date;
  readonly detail: Record<string, unknown>;
  readonly idempotencyKey: string;
  readonly trackingId: string;
  readonly toNumber: string;
  readonly templateId: number;
  readonly toCountry: string | null;
  readonly carrierMessageId: string | null;
  readonly handset: string | null;
  /** The carrier the message's route names, if any (SPID). */
  readonly routeCarrier: string | null;
  /** The id of the partner request that made the message (X-Request-Id of the postback). */
  readonly requestId: string | null;
}

/** What an attempt left behind, per postback. */
export interface PostbackSettled {
  readonly id: number;
  readonly state: PostbackState;
  /** Unfinished notices of the same messages that waited for this one. */
  readonly next: readonly number[];
}

const CLAIMED_COLUMNS = `c.id, a.id AS "attemptId", c.attempts AS attempt, c.code::text AS code,
  (extract(epoch FROM c.occurred_at) * 1000)::float8 AS "occurredMs", c.detail, c.idempotency_key::text AS "idempotencyKey",
  m.tracking_id AS "trackingId", m.to_number AS "toNumber", m.template_id AS "templateId", m.to_country AS "toCountry",
  m.carrier_message_id AS "carrierMessageId", m.handset, r.carrier AS "routeCarrier", m.request_id AS "requestId"`;

const CLAIMED_JOINS = `JOIN messages m ON m.id = c.message_id
  LEFT JOIN LATERAL (
    SELECT cr.carrier FROM carrier_routes cr WHERE cr.country = m.to_country AND cr.enabled ORDER BY cr.id LIMIT 1
  ) r ON true`;

type ClaimedRow = Omit<ClaimedPostback, 'occurredAt'> & { occurredMs: number };

/**
 * The postback worker's statements, in plain SQL on the process's pool. The postbacks table is
 * the truth about every notice (its state, attempts, schedule and hold); BullMQ only wakes the
 * worker. Claims are conditional updates, so two workers never attempt one notice at once.
 */
@Injectable()
export class PostbackRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async find(postbackId: number): Promise<PostbackDue | null> {
    const { rows } = await this.pool.query<PostbackDue & { account: PostbackAccount }>({
      name: 'postback-find',
      text: `SELECT p.id, p.state::text AS state,
          json_build_object('id', a.id, 'url', a.postback_url, 'form', a.postback_form, 'bundle', a.postback_bundle,
            'secret', a.postback_secret, 'retryDelayMs', a.postback_retry_delay_ms, 'maxAttempts', a.postback_max_attempts) AS account,
          ${msUntil('p.next_attempt_at')} AS "dueInMs",
          CASE WHEN p.lease_until > ${NOW} THEN ${msUntil('p.lease_until')} END AS "leasedForMs",
          -${msUntil('p.created_at')} AS "ageMs",
          (SELECT json_build_object('id', e.id, 'dueInMs', ${msUntil('e.next_attempt_at')},
                    'leasedForMs', CASE WHEN e.lease_until > ${NOW} THEN ${msUntil('e.lease_until')} END)
           FROM postbacks e WHERE e.message_id = p.message_id AND e.id < p.id AND e.state = 'PENDING'
           ORDER BY e.id LIMIT 1) AS "waitsFor",
          (SELECT m.request_id FROM messages m WHERE m.id = p.message_id) AS "requestId"
        FROM postbacks p JOIN accounts a ON a.id = p.account_id
        WHERE p.id = $1`,
      values: [postbackId],
    });
    return rows[0] ?? null;
  }

  /**
   * Takes due notices for one attempt: each gets its attempt number and a hold of `holdMs`, and
   * an attempt row (started now, outcome to come). With `bundleOf`, the account's due notices up
   * to `limit`, oldest first, whose earlier siblings are all done or in the same claim. A bundle
   * claim waits for another one of the account in flight (FOR UPDATE, not SKIP LOCKED: skipping
   * split one bundle in two when the jobs of its notices woke together), then finds those rows
   * leased and takes only what is left.
   */
  async claim(holdMs: number, ids: readonly number[], bundleOf?: { accountId: number; limit: number }): Promise<ClaimedPostback[]> {
    const due = `p.state = 'PENDING' AND (p.lease_until IS NULL OR p.lease_until <= ${NOW}) AND p.next_attempt_at <= ${NOW}`;
    const chosen =
      bundleOf === undefined
        ? `chosen AS (SELECT p.id FROM postbacks p WHERE p.id = ANY($2::int[]) AND ${due} FOR UPDATE SKIP LOCKED),`
        : `candidate AS (
             SELECT p.id, p.message_id FROM postbacks p WHERE p.account_id = $2 AND ${due} ORDER BY p.id LIMIT $3 FOR UPDATE
           ), chosen AS (
             SELECT k.id FROM candidate k WHERE NOT EXISTS (
               SELECT 1 FROM postbacks e WHERE e.message_id = k.message_id AND e.id < k.id AND e.state = 'PENDING'
                 AND e.id NOT IN (SELECT id FROM candidate))
           ),`;
    const { rows } = await this.pool.query<ClaimedRow>({
      text: `WITH ${chosen}
        c AS (
          UPDATE postbacks p SET attempts = p.attempts + 1, lease_until = ${NOW} + make_interval(secs => $1::float8 / 1000)
          FROM chosen WHERE p.id = chosen.id
          RETURNING p.*
        ), a AS (
          INSERT INTO postback_attempts (postback_id, number, started_at) SELECT id, attempts, ${NOW} FROM c RETURNING id, postback_id
        )
        SELECT ${CLAIMED_COLUMNS} FROM c JOIN a ON a.postback_id = c.id ${CLAIMED_JOINS} ORDER BY c.id`,
      values: bundleOf === undefined ? [holdMs, ids] : [holdMs, bundleOf.accountId, bundleOf.limit],
    });
    return rows.map(({ occurredMs, ...row }) => ({ ...row, occurredAt: new Date(occurredMs) }));
  }

  /**
   * Records how an attempt went for the notices it carried: acknowledged ones are DELIVERED, the
   * others wait `retryDelayMs` for the next attempt or, past `maxAttempts`, are GIVEN_UP.
   */
  async settle(claimed: readonly ClaimedPostback[], result: AttemptResult, policy: { retryDelayMs: number; maxAttempts: number }): Promise<PostbackSettled[]> {
    const { rows } = await this.pool.query<PostbackSettled>({
      name: 'postback-settle',
      text: `WITH attempt AS (
          UPDATE postback_attempts SET outcome = $3::"PostbackOutcome", http_status = $4, error = $5, duration_ms = $6, bundle_size = $7
          WHERE id = ANY($2::int[])
        ), settled AS (
          UPDATE postbacks p SET
            state = (CASE WHEN $3 = 'ACKNOWLEDGED' THEN 'DELIVERED' WHEN p.attempts >= $9 THEN 'GIVEN_UP' ELSE 'PENDING' END)::"PostbackState",
            finished_at = CASE WHEN $3 = 'ACKNOWLEDGED' OR p.attempts >= $9 THEN ${NOW} END,
            next_attempt_at = CASE WHEN $3 = 'ACKNOWLEDGED' OR p.attempts >= $9 THEN p.next_attempt_at
                                   ELSE ${NOW} + make_interval(secs => $8::float8 / 1000) END,
            lease_until = NULL,
            last_error = $5
          WHERE p.id = ANY($1::int[]) AND p.state = 'PENDING'
          RETURNING p.id, p.message_id, p.state
        )
        SELECT s.id, s.state::text AS state,
          CASE WHEN s.state = 'PENDING' THEN '{}'::int[] ELSE ARRAY(
            SELECT l.id FROM postbacks l WHERE l.message_id = s.message_id AND l.id > s.id AND l.state = 'PENDING' ORDER BY l.id
          ) END AS next
        FROM settled s ORDER BY s.id`,
      values: [
        claimed.map((c) => c.id),
        claimed.map((c) => c.attemptId),
        result.outcome,
        result.httpStatus,
        result.error?.slice(0, 1000) ?? null,
        result.durationMs,
        claimed.length,
        policy.retryDelayMs,
        policy.maxAttempts,
      ],
    });
    return rows;
  }

  /** A notice that can never be sent (the account has no postback URL any more): given up, with why. */
  async giveUp(postbackId: number, reason: string): Promise<void> {
    await this.pool.query(
      `UPDATE postbacks SET state = 'GIVEN_UP', finished_at = ${NOW}, lease_until = NULL, last_error = $2 WHERE id = $1 AND state = 'PENDING'`,
      [postbackId, reason],
    );
  }

  /** Unfinished notices nobody holds whose time passed more than `graceMs` ago: their job may be gone. */
  async overdue(graceMs: number, limit: number): Promise<number[]> {
    const { rows } = await this.pool.query<{ id: number }>(
      `SELECT id FROM postbacks
       WHERE state = 'PENDING' AND next_attempt_at <= ${NOW} - make_interval(secs => $1::float8 / 1000)
         AND (lease_until IS NULL OR lease_until <= ${NOW})
       ORDER BY id LIMIT $2`,
      [graceMs, limit],
    );
    return rows.map((row) => row.id);
  }
}
