import { Redis } from 'ioredis';
import { Client } from 'pg';
import { RunGuard } from './failure';
import { runPaced } from './load';
import { redisUsedMemoryMb } from './machine';
import { BarcodeIds } from './partner-request';
import { ProcessMonitor } from './process-stats';
import { BenchSettings } from './settings';
import { simulatorStats } from './simulator';

/**
 * `--long`: a steady offered rate for minutes, to see memory that only grows and a backlog that
 * only lengthens. Resident memory of every process and Redis' used_memory are sampled every few
 * seconds; the report keeps them after the warm-up, at the end, and their maximum.
 */
export interface SoakResult {
  readonly offered_per_s: number;
  readonly duration_s: number;
  readonly accepted: number;
  readonly accepted_per_s: number;
  readonly refused: Record<string, number>;
  readonly errors: number;
  readonly accept_p99_ms: number;
  /** MMS the simulator accepted over the soak, per second. */
  readonly delivered_per_s: number;
  /** Where SUBMITTED stood when the load stopped. */
  readonly lag_at_end: { readonly unsubmitted: number; readonly oldest_unsubmitted_age_s: number; readonly drained_after_s: number | null };
  readonly rss_mb: Record<string, { after_warmup: number; end: number; max: number }>;
  readonly redis_used_memory_mb: { after_warmup: number; end: number; max: number };
  /** Every 30 s: what a leak would look like. */
  readonly series: Array<{ t_s: number; rss_mb: Record<string, number>; redis_used_memory_mb: number }>;
}

export interface SoakContext {
  readonly gatewayOrigin: string;
  readonly simulatorOrigin: string;
  readonly barcodeIds: BarcodeIds;
  readonly guard: RunGuard;
  readonly db: Client;
  readonly redis: Redis;
  readonly monitor: ProcessMonitor;
  readonly settings: NonNullable<BenchSettings['soak']>;
  readonly progress: (line: string) => void;
}

export async function runSoak(ctx: SoakContext): Promise<SoakResult> {
  const s = ctx.settings;
  const startedAt = Date.now();
  // The soak's own messages: earlier phases left some ACCEPTED on purpose (their jobs were dropped).
  const firstId = await nextMessageId(ctx.db);
  const simulatorBefore = (await simulatorStats(ctx.simulatorOrigin)).accepted;
  let afterWarmup: { rss: Record<string, number>; redis: number } | undefined;
  const max: Record<string, number> = {};
  let redisMax = 0;
  const series: SoakResult['series'] = [];
  let lastSeries = -Infinity;

  const sampleMemory = async () => {
    await ctx.monitor.sample();
    const rss = ctx.monitor.currentRssMb();
    const redis = await redisUsedMemoryMb(ctx.redis);
    for (const [name, mb] of Object.entries(rss)) max[name] = Math.max(max[name] ?? 0, mb);
    redisMax = Math.max(redisMax, redis);
    const t = (Date.now() - startedAt) / 1000;
    if (afterWarmup === undefined && t >= s.warmupS) afterWarmup = { rss, redis };
    if (t - lastSeries >= 30) {
      series.push({ t_s: Math.round(t), rss_mb: rss, redis_used_memory_mb: redis });
      lastSeries = t;
      ctx.progress(`soak ${Math.round(t)} s, RSS: ${Object.entries(rss).map(([n, mb]) => `${n} ${mb} MB`).join(', ')}; Redis used_memory ${redis} MB`);
    }
    return { rss, redis };
  };

  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      await sampleMemory();
      await ctx.guard.sleep(s.sampleS * 1000);
    }
  })();
  const load = await ctx.guard
    .run(
      runPaced({
        origin: ctx.gatewayOrigin,
        connections: 50,
        rate: s.rate,
        durationS: s.durationS,
        timeoutS: 10,
        capS: s.durationS + 30,
        barcodeIds: ctx.barcodeIds,
      }),
    )
    .finally(() => {
      sampling = false;
    });
  await sampler.catch(() => undefined);
  const end = await sampleMemory();
  const delivered = (await simulatorStats(ctx.simulatorOrigin)).accepted - simulatorBefore;
  const lag = await unsubmitted(ctx.db, firstId);
  const drainedAfter = lag.count === 0 ? 0 : await waitForDrain(ctx, firstId, 60);

  const warm = afterWarmup ?? end;
  return {
    offered_per_s: s.rate,
    duration_s: Math.round(load.durationS),
    accepted: load.success,
    accepted_per_s: Math.round(load.successPerS * 10) / 10,
    refused: load.failures,
    errors: load.errors,
    accept_p99_ms: load.latency.p99,
    delivered_per_s: Math.round((delivered / load.durationS) * 10) / 10,
    lag_at_end: { unsubmitted: lag.count, oldest_unsubmitted_age_s: lag.oldestAgeS, drained_after_s: drainedAfter },
    rss_mb: Object.fromEntries(
      Object.keys(end.rss).map((name) => [name, { after_warmup: warm.rss[name] ?? 0, end: end.rss[name] ?? 0, max: max[name] ?? 0 }]),
    ),
    redis_used_memory_mb: { after_warmup: warm.redis, end: end.redis, max: redisMax },
    series,
  };
}

async function nextMessageId(db: Client): Promise<number> {
  const { rows } = await db.query<{ max: number | null }>('SELECT max(id) AS max FROM messages');
  return (rows[0]?.max ?? 0) + 1;
}

/** The soak's messages not yet SUBMITTED (ACCEPTED or RENDERED), and the age of the oldest. */
async function unsubmitted(db: Client, firstId: number): Promise<{ count: number; oldestAgeS: number }> {
  const { rows } = await db.query<{ count: string; oldest_age_s: number | null }>(
    `SELECT count(*) AS count,
            extract(epoch FROM (now() AT TIME ZONE 'UTC') - min(created_at))::float8 AS oldest_age_s
       FROM messages WHERE id >= $1 AND status IN ('ACCEPTED', 'RENDERED')`,
    [firstId],
  );
  return { count: Number(rows[0]?.count ?? 0), oldestAgeS: Math.round((rows[0]?.oldest_age_s ?? 0) * 10) / 10 };
}

/**
 * Seconds until nothing of the soak is left to submit; null after the cap, or as soon as the rate
 * seen so far cannot clear the rest before it.
 */
async function waitForDrain(ctx: SoakContext, firstId: number, capS: number): Promise<number | null> {
  const started = Date.now();
  const initial = (await unsubmitted(ctx.db, firstId)).count;
  while (Date.now() - started < capS * 1000) {
    await ctx.guard.sleep(500);
    const left = (await unsubmitted(ctx.db, firstId)).count;
    if (left === 0) return Math.round((Date.now() - started) / 100) / 10;
    const waitedS = (Date.now() - started) / 1000;
    if (waitedS >= 3 && ((initial - left) / waitedS) * (capS - waitedS) < left) return null;
  }
  return null;
}
