import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Symbology } from '@mms/contracts';

/**
 * Renders per CPU-second, ours against bwip-js `toBuffer`, measured in this process by
 * scripts/bench-render.ts (another issue's file). Its contract:
 *
 *   export function measureRenders(options: { durationMs: number }): Promise<Record<Symbology, { ours: number; bwip: number }>>
 *
 * It is loaded at run time so that the bench builds and runs before that file exists: then the
 * render figures are reported as missing, never made up.
 */
export type RenderRates = Record<Symbology, { ours: number; bwip: number }>;
export type MeasureRenders = (options: { durationMs: number }) => Promise<RenderRates>;

export interface RenderFigures {
  readonly render_per_core: Partial<Record<Symbology, number>>;
  readonly bwip_per_core: Partial<Record<Symbology, number>>;
  readonly render_ratio: Partial<Record<Symbology, number>>;
  readonly wall_s: number;
}

const MODULE = join(__dirname, '..', 'bench-render');

export async function loadMeasureRenders(): Promise<MeasureRenders | { unavailable: string }> {
  if (!existsSync(`${MODULE}.ts`)) return { unavailable: 'scripts/bench-render.ts does not exist yet' };
  const loaded = (await import(MODULE)) as { measureRenders?: unknown };
  if (typeof loaded.measureRenders !== 'function') return { unavailable: 'scripts/bench-render.ts exports no measureRenders function' };
  return loaded.measureRenders as MeasureRenders;
}

export async function measureRenderFigures(measure: MeasureRenders, durationMs: number): Promise<RenderFigures> {
  const started = performance.now();
  const rates = await measure({ durationMs });
  const figures: RenderFigures = { render_per_core: {}, bwip_per_core: {}, render_ratio: {}, wall_s: 0 };
  for (const [symbology, rate] of Object.entries(rates) as Array<[Symbology, { ours: number; bwip: number }]>) {
    figures.render_per_core[symbology] = Math.round(rate.ours);
    figures.bwip_per_core[symbology] = Math.round(rate.bwip);
    figures.render_ratio[symbology] = rate.bwip > 0 ? Math.round((rate.ours / rate.bwip) * 100) / 100 : 0;
  }
  return { ...figures, wall_s: Math.round((performance.now() - started) / 10) / 100 };
}
