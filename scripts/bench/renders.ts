import type { Symbology } from '@mms/contracts';

/**
 * Renders per CPU-second, ours (MatrixPngRenderer) against bwip-js `toBuffer`, measured in this
 * process by scripts/bench-render.ts: `durationMs` of CPU per renderer and symbology. Loaded when
 * the phase starts, so the renderers compile after the fleet phases, not before the fleet starts.
 */
export interface RenderFigures {
  readonly render_per_core: Partial<Record<Symbology, number>>;
  readonly bwip_per_core: Partial<Record<Symbology, number>>;
  readonly render_ratio: Partial<Record<Symbology, number>>;
}

export async function measureRenderFigures(durationMs: number): Promise<RenderFigures> {
  const { measureRenders } = await import('../bench-render');
  const rates = await measureRenders({ durationMs });
  const figures: RenderFigures = { render_per_core: {}, bwip_per_core: {}, render_ratio: {} };
  for (const [symbology, rate] of Object.entries(rates) as Array<[Symbology, { ours: number; bwip: number }]>) {
    figures.render_per_core[symbology] = Math.round(rate.ours);
    figures.bwip_per_core[symbology] = Math.round(rate.bwip);
    figures.render_ratio[symbology] = rate.bwip > 0 ? Math.round((rate.ours / rate.bwip) * 100) / 100 : 0;
  }
  return figures;
}
