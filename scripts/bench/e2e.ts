import { Client } from 'pg';
import { RunGuard } from './failure';
import { LoadResult, runLoad, runPaced } from './load';
import { BarcodeIds } from './partner-request';
import { BenchSettings } from './settings';
import { simulatorStats } from './simulator';

/** What the end-to-end phases need from the run. */
export interface E2eContext {
  readonly gatewayOrigin: string;
  readonly simulatorOrigin: string;
  readonly barcodeIds: BarcodeIds;
  readonly guard: RunGuard;
  readonly db: Client;
  readonly settings: BenchSettings['e2e'];
}

export interface BurstResult {
  readonly requested: number;
  /** Answers with STATUS Success: the MMS the simulator has to receive. */
  readonly accepted: number;
  /** Of those, what the simulator had accepted when the clock stopped. */
  readonly delivered: number;
  readonly mms_per_s: number;
  /** From the first request to the simulator showing them all (or to the cap). */
  readonly elapsed_s: number;
  readonly send_s: number;
  /** Not all accepted MMS reached the simulator before the cap: mms_per_s counts those that did. */
  readonly partial: boolean;
  /** The burst was cut off before every request was answered. */
  readonly send_capped: boolean;
  readonly refused: Record<string, number>;
  readonly errors: number;
}

/**
 * The burst: N requests as fast as the gateway takes them, timed from the first request to the
 * moment the simulator's counter shows all N accepted ones. The caller sizes N from the rates
 * measured so far, so that a slow fleet still fits the budget; both the sending and the wait are
 * capped, and a cap reached gives an honest partial figure instead of a hang.
 */
export async function measureBurst(ctx: E2eContext, requested: number, caps?: { sendS: number; drainS: number }): Promise<BurstResult> {
  const s = ctx.settings;
  const sendCapS = caps?.sendS ?? s.burstSendCapS;
  const drainCapS = caps?.drainS ?? s.burstDrainCapS;
  const before = (await simulatorStats(ctx.simulatorOrigin)).accepted;
  const started = Date.now();
  const load = await ctx.guard.run(
    runLoad({
      origin: ctx.gatewayOrigin,
      connections: s.burstConnections,
      amount: requested,
      timeoutS: 30,
      capS: sendCapS,
      barcodeIds: ctx.barcodeIds,
    }),
  );
  const sendS = (Date.now() - started) / 1000;
  const deadline = Date.now() + drainCapS * 1000;
  let delivered = 0;
  for (;;) {
    delivered = (await simulatorStats(ctx.simulatorOrigin)).accepted - before;
    if (delivered >= load.success || Date.now() >= deadline) break;
    await ctx.guard.sleep(150);
  }
  const elapsedS = (Date.now() - started) / 1000;
  const partial = delivered < load.success;
  return {
    requested,
    accepted: load.success,
    delivered: Math.min(delivered, load.success),
    mms_per_s: round1(Math.min(delivered, load.success) / elapsedS),
    elapsed_s: round2(elapsedS),
    send_s: round2(sendS),
    partial,
    send_capped: load.capped,
    refused: load.failures,
    errors: load.errors,
  };
}

export interface LatencyResult {
  readonly offered_per_s: number;
  readonly duration_s: number;
  readonly accepted: number;
  readonly accepted_per_s: number;
  readonly submitted: number;
  /** Accepted but not SUBMITTED when the wait ended. */
  readonly missing: number;
  readonly p50_ms: number;
  readonly p99_ms: number;
  readonly max_ms: number;
  /** The percentile falls among the missing: the figure is the wait, a lower bound. */
  readonly p50_is_lower_bound: boolean;
  readonly p99_is_lower_bound: boolean;
  readonly accept_p99_ms: number;
  readonly refused: Record<string, number>;
  readonly errors: number;
}

/**
 * Latency at a steady offered rate: each accepted request's send time (by its TRACKINGID) against
 * the time its SUBMITTED event was recorded. `message_events.at` is a timestamp without time zone
 * written as UTC, so it is read as UTC epoch milliseconds.
 */
export async function measureLatency(ctx: E2eContext): Promise<LatencyResult> {
  const s = ctx.settings;
  const sentAt = new Map<string, number>();
  const load: LoadResult = await ctx.guard.run(
    runPaced({
      origin: ctx.gatewayOrigin,
      connections: s.latencyConnections,
      rate: s.latencyRate,
      durationS: s.latencyS,
      timeoutS: 10,
      capS: s.latencyS + 5,
      barcodeIds: ctx.barcodeIds,
      onAccepted: (trackingId, sent) => sentAt.set(trackingId, sent),
    }),
  );
  const ids = [...sentAt.keys()];
  const waitStarted = Date.now();
  const deadline = waitStarted + s.latencyDrainCapS * 1000;
  let submitted = await submittedAt(ctx.db, ids);
  const submittedAtLoadEnd = submitted.size;
  while (submitted.size < ids.length && Date.now() < deadline) {
    await ctx.guard.sleep(300);
    submitted = await submittedAt(ctx.db, ids);
    // Give up early when the rate seen so far cannot clear what is left before the deadline.
    const waitedS = (Date.now() - waitStarted) / 1000;
    const rate = (submitted.size - submittedAtLoadEnd) / waitedS;
    if (waitedS >= 1.5 && rate * ((deadline - Date.now()) / 1000) < ids.length - submitted.size) break;
  }
  const waitedMs = Date.now() - load.startedAt;
  const latencies = ids.map((id) => {
    const at = submitted.get(id);
    return at === undefined ? Number.POSITIVE_INFINITY : at - (sentAt.get(id) as number);
  });
  const p50 = percentile(latencies, 0.5);
  const p99 = percentile(latencies, 0.99);
  return {
    offered_per_s: s.latencyRate,
    duration_s: round2(load.durationS),
    accepted: ids.length,
    accepted_per_s: round1(ids.length / load.durationS),
    submitted: submitted.size,
    missing: ids.length - submitted.size,
    p50_ms: finiteOr(p50, waitedMs),
    p99_ms: finiteOr(p99, waitedMs),
    max_ms: finiteOr(Math.max(0, ...latencies), waitedMs),
    p50_is_lower_bound: !Number.isFinite(p50),
    p99_is_lower_bound: !Number.isFinite(p99),
    accept_p99_ms: load.latency.p99,
    refused: load.failures,
    errors: load.errors,
  };
}

/** When each of these messages became SUBMITTED (UTC epoch ms), for those that have. */
export async function submittedAt(db: Client, trackingIds: readonly string[]): Promise<Map<string, number>> {
  if (trackingIds.length === 0) return new Map();
  const { rows } = await db.query<{ tracking_id: string; at_ms: number | string }>(
    `SELECT m.tracking_id, (extract(epoch FROM e.at AT TIME ZONE 'UTC') * 1000)::float8 AS at_ms
       FROM message_events e JOIN messages m ON m.id = e.message_id
      WHERE e.status = 'SUBMITTED' AND m.tracking_id = ANY($1::text[])`,
    [trackingIds],
  );
  return new Map(rows.map((row) => [row.tracking_id, Number(row.at_ms)]));
}

/** Nearest-rank percentile; Infinity stands for "not there yet". */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

const finiteOr = (value: number, fallback: number) => Math.round(Number.isFinite(value) ? value : fallback);
const round1 = (value: number) => Math.round(value * 10) / 10;
const round2 = (value: number) => Math.round(value * 100) / 100;
