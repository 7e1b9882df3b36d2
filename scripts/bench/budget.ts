import { createHash } from 'node:crypto';

/**
 * The short run's clock: it must end within 90 s of `npm run bench`, fleet start and teardown
 * included, on a machine other work may be crowding. Phases ask it what they may still spend.
 */
export class Budget {
  /** @param limitS seconds since this process started; null in long mode (no limit). */
  constructor(readonly limitS: number | null) {}

  /** Seconds since the process started (performance.now() counts from there, npm aside). */
  elapsedS(): number {
    return performance.now() / 1000;
  }

  leftS(): number {
    return this.limitS === null ? Number.POSITIVE_INFINITY : this.limitS - this.elapsedS();
  }
}

/** CPU time of the renders' warm-ups (5 renders per renderer and symbology), about. */
const RENDER_WARMUP_CPU_S = 1;

/**
 * How much longer than its CPU time CPU-bound work in this process takes right now (other
 * processes sharing the cores): spins for a few milliseconds of CPU and compares with the clock.
 */
export function cpuSlowdown(): number {
  const block = Buffer.alloc(64 * 1024, 7);
  const cpuAtStart = process.cpuUsage();
  const wallAtStart = performance.now();
  let cpuMs = 0;
  while (cpuMs < 40) {
    for (let i = 0; i < 20; i += 1) createHash('sha256').update(block).digest();
    const { user, system } = process.cpuUsage(cpuAtStart);
    cpuMs = (user + system) / 1000;
  }
  return Math.min(8, Math.max(1, (performance.now() - wallAtStart) / cpuMs));
}

/** Wall seconds the render phase takes: 10 symbologies x (ours, bwip-js), each `durationMs` of CPU. */
export function renderWallS(durationMs: number, slowdown: number): number {
  return ((20 * durationMs) / 1000 + RENDER_WARMUP_CPU_S) * slowdown;
}

/** The CPU time per render measurement that fits `seconds` of wall time (never below 50 ms). */
export function renderDurationFor(seconds: number, slowdown: number, preferredMs: number): number {
  const fitting = ((seconds / slowdown - RENDER_WARMUP_CPU_S) / 20) * 1000;
  return Math.round(Math.min(preferredMs, Math.max(50, fitting)));
}
