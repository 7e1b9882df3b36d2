import { RunGuard } from './failure';
import { LoadResult, runLoad, runPaced, warmUp, wholeRate } from './load';
import { BarcodeIds } from './partner-request';
import { LoadShape } from './settings';

/**
 * The accept measurement, the same for the gateway and for the ceiling server: full speed with a
 * fixed number of connections (Success answers per second, p50, p99), then p99 at half that rate
 * offered steadily (paced: see runPaced), which is what partners at a sane load see.
 */
export interface Throughput {
  readonly rps: number;
  readonly p50_ms: number;
  readonly p99_ms: number;
  readonly half_load_rate: number;
  readonly p99_half_load_ms: number;
  readonly full: LoadSummary;
  readonly half: LoadSummary;
  /** Wall time of the warm-up, the full-speed run and the half-load run. */
  readonly wall_s: { readonly warmup: number; readonly full: number; readonly half: number };
}

export interface LoadSummary {
  readonly duration_s: number;
  readonly connections: number;
  readonly offered_per_s: number | null;
  readonly answered: number;
  readonly success: number;
  readonly success_per_s: number;
  readonly refused: Record<string, number>;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly p50_ms: number;
  readonly p99_ms: number;
  readonly max_ms: number;
  readonly capped: boolean;
}

/**
 * @param beforeHalfLoad runs between the two (the gateway's: drop the backlog the full-speed run
 *   left the workers, so that the half-load run sees the fleet at that load, not behind it).
 */
export async function measureThroughput(
  origin: string,
  shape: LoadShape,
  barcodeIds: BarcodeIds,
  guard: RunGuard,
  beforeHalfLoad: () => Promise<void> = async () => undefined,
): Promise<Throughput> {
  const t0 = performance.now();
  await guard.run(warmUp(origin, shape.connections, shape.warmupS, barcodeIds));
  const t1 = performance.now();
  const full = await guard.run(
    runLoad({ origin, connections: shape.connections, durationS: shape.measureS, capS: shape.measureS + 5, barcodeIds }),
  );
  await guard.run(beforeHalfLoad());
  const t2 = performance.now();
  const halfRate = wholeRate(full.successPerS / 2);
  const half = await guard.run(
    runPaced({ origin, connections: shape.connections, durationS: shape.halfLoadS, rate: halfRate, capS: shape.halfLoadS + 5, barcodeIds }),
  );
  const t3 = performance.now();
  const seconds = (from: number, to: number) => Math.round((to - from) / 10) / 100;
  return {
    rps: round1(full.successPerS),
    p50_ms: full.latency.p50,
    p99_ms: full.latency.p99,
    half_load_rate: halfRate,
    p99_half_load_ms: half.latency.p99,
    full: summarize(full),
    half: summarize(half),
    wall_s: { warmup: seconds(t0, t1), full: seconds(t1, t2), half: seconds(t2, t3) },
  };
}

export function summarize(load: LoadResult): LoadSummary {
  return {
    duration_s: Math.round(load.durationS * 100) / 100,
    connections: load.connections,
    offered_per_s: load.offeredRate,
    answered: load.answered,
    success: load.success,
    success_per_s: round1(load.successPerS),
    refused: load.failures,
    non2xx: load.non2xx,
    errors: load.errors,
    timeouts: load.timeouts,
    p50_ms: load.latency.p50,
    p99_ms: load.latency.p99,
    max_ms: load.latency.max,
    capped: load.capped,
  };
}

const round1 = (value: number) => Math.round(value * 10) / 10;
