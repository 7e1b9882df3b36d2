/**
 * What `npm run bench` runs, and for how long. Short mode must finish in under 90 s with the fleet's
 * start and teardown: each phase has a budget here, and the phases that depend on how fast the
 * fleet is (the end-to-end burst, the waits for SUBMITTED) are capped by time, not by count.
 */
import { renderWallS } from './budget';

export type BenchMode = 'short' | 'long';

export interface LoadShape {
  /** Discarded run before the measured one (JIT, pools, connections). */
  readonly warmupS: number;
  readonly measureS: number;
  readonly connections: number;
  /** The half-load run: overallRate = half the measured rate. */
  readonly halfLoadS: number;
}

export interface BenchSettings {
  readonly mode: BenchMode;
  readonly load: LoadShape;
  readonly e2e: {
    /** Most requests in one burst; fewer when the gateway is slow (see burstSeconds). */
    readonly burstMax: number;
    readonly burstMin: number;
    /** The burst is sized to take about this long at the rates measured before it. */
    readonly burstSeconds: number;
    readonly burstConnections: number;
    /** Hard cap on sending the burst, and on waiting for the simulator afterwards. */
    readonly burstSendCapS: number;
    readonly burstDrainCapS: number;
    readonly latencyRate: number;
    readonly latencyS: number;
    readonly latencyConnections: number;
    /** How long the accepted messages of the latency phase get to become SUBMITTED. */
    readonly latencyDrainCapS: number;
  };
  readonly scalingProcesses: readonly number[];
  readonly renderDurationMs: number;
  readonly soak: { readonly rate: number; readonly durationS: number; readonly warmupS: number; readonly sampleS: number } | null;
  /** Environment handed to every fleet service. */
  readonly fleetEnv: Readonly<Record<string, string>>;
}

/** 200/s offered; RSS compared after a one-minute warm-up (shorter soaks, BENCH_SOAK_SECONDS, scale it). */
function soakPlan(durationS: number): NonNullable<BenchSettings['soak']> {
  const seconds = Number.isFinite(durationS) && durationS >= 10 ? durationS : 600;
  return { rate: 200, durationS: seconds, warmupS: Math.min(60, seconds / 4), sampleS: 5 };
}

/**
 * The delivery connector's rate is a carrier's agreed rate (default 50/s, held across processes in
 * Redis); the bench raises it so that it measures the fleet, not the contract. 10000 is the most the
 * delivery config accepts.
 */
export const MM7_RATE_FOR_BENCH = 10_000;

export function benchSettings(mode: BenchMode, env: NodeJS.ProcessEnv): BenchSettings {
  return {
    mode,
    load: { warmupS: 1, measureS: 6, connections: 50, halfLoadS: 4 },
    e2e: {
      burstMax: mode === 'long' ? 10_000 : 4_000,
      burstMin: 100,
      burstSeconds: 5,
      burstConnections: 200,
      burstSendCapS: 8,
      burstDrainCapS: 6,
      latencyRate: 300,
      latencyS: 7,
      latencyConnections: 50,
      latencyDrainCapS: 6,
    },
    scalingProcesses: [1, 2],
    // CPU time per measurement (10 symbologies x ours and bwip-js, plus their warm-ups).
    renderDurationMs: mode === 'long' ? 750 : 150,
    soak: mode === 'long' ? soakPlan(Number(env.BENCH_SOAK_SECONDS ?? 600)) : null,
    fleetEnv: {
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
      BARCODE_PROCESSES: env.BARCODE_PROCESSES ?? '1',
      DELIVERY_PROCESSES: env.DELIVERY_PROCESSES ?? '1',
      MM7_MAX_PER_SECOND: String(MM7_RATE_FOR_BENCH),
      MMSC_SIM_MAX_MESSAGES: '100000',
      // No delivery reports: they would add gateway and delivery work the throughput phases do not ask for.
      MMSC_SIM_DLR_WHEN: 'never',
      MMSC_SIM_LATENCY_MS: '0',
      MMSC_SIM_FAIL_PERCENT: '0',
      MMSC_SIM_TIMEOUT_MS: '0',
      MMSC_SIM_DROP_PERCENT: '0',
      // The end-to-end phases drop the jobs earlier phases left queued: the reconciler must not revive them.
      RECONCILE_AFTER_MS: '86400000',
      MM7_INBOUND_USERNAME: 'mmsc',
      MM7_INBOUND_PASSWORD: 'bench-mmsc-password',
    },
  };
}

/**
 * What the phases after the fleet's start are planned to take: `scalable` shrinks with the
 * measured durations, `fixed` does not (overheads, restarting the workers for the scaling run,
 * the renders' warm-ups). Restarting workers is mostly compiling TypeScript: CPU-bound, like the
 * renders, so both grow with how crowded the machine is (cpuSlowdown, 1 on idle cores).
 */
export function plannedSeconds(settings: BenchSettings, cpuSlowdown: number): { scalable: number; fixed: number } {
  const bursts = settings.scalingProcesses.length > 1 ? 2 : 1;
  const measured = settings.load.warmupS + settings.load.measureS + settings.load.halfLoadS;
  const renders = renderWallS(settings.renderDurationMs, cpuSlowdown);
  const renderWarmups = renderWallS(0, cpuSlowdown);
  return {
    // The wait for SUBMITTED after the latency run: its cap, but it gives up early or ends sooner.
    scalable: 2 * measured + bursts * settings.e2e.burstSeconds + settings.e2e.latencyS + settings.e2e.latencyDrainCapS / 2 + (renders - renderWarmups),
    fixed: 2 * 1.5 + bursts * 2 + (bursts > 1 ? WORKER_RESTART_CPU_S * cpuSlowdown + 1 : 0) + renderWarmups,
  };
}

/** Wall seconds a worker restart takes on idle cores (the new processes compile their sources), about. */
export const WORKER_RESTART_CPU_S = 6;

/**
 * The same plan with every measured duration scaled by k (< 1 when the fleet took so long to start,
 * on a busy machine, that the full plan would not fit the short run's budget), with floors below
 * which the figures would mean nothing.
 */
export function shortened(settings: BenchSettings, k: number): BenchSettings {
  const scale = (value: number, floor: number) => Math.max(floor, Math.round(value * k * 10) / 10);
  return {
    ...settings,
    load: { ...settings.load, warmupS: scale(settings.load.warmupS, 0.5), measureS: scale(settings.load.measureS, 3), halfLoadS: scale(settings.load.halfLoadS, 2) },
    e2e: {
      ...settings.e2e,
      burstSeconds: scale(settings.e2e.burstSeconds, 2),
      burstSendCapS: scale(settings.e2e.burstSendCapS, 3),
      burstDrainCapS: scale(settings.e2e.burstDrainCapS, 3),
      latencyS: scale(settings.e2e.latencyS, 3),
      latencyDrainCapS: scale(settings.e2e.latencyDrainCapS, 2),
    },
    renderDurationMs: Math.max(50, Math.round(settings.renderDurationMs * k)),
  };
}

/** The targets printed beside the figures (issue 8). */
export const TARGETS = {
  acceptRatio: 0.5,
  acceptP99HalfLoadMs: 50,
  e2eMmsPerS: 500,
  e2eP99Ms: 500,
  renderQrPerCpuS: 1000,
  renderRatio: 2,
} as const;
