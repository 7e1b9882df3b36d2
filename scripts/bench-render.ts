/**
 * `node -r @swc-node/register scripts/bench-render.ts [seconds per measurement]`: renders per
 * CPU-second of this process, per symbology, MatrixPngRenderer (ours) against the bwip-js adapter
 * (whose cost is bwip-js toBuffer), at default barcode settings (8 px per module, EC level M,
 * PNG), every render a distinct ticket-like value. Prints a table with the targets of issue 8:
 * QR Code at least 1,000 per CPU-second, every symbology at least twice bwip-js.
 *
 * measureRenders() is importable without side effects (`npm run bench` calls it).
 */
import { type BarcodeSettings, Symbology, gs1CheckDigit, parseBarcodeSettings } from '@mms/contracts';
import { type BarcodeRenderer, BwipRenderer, MatrixPngRenderer } from '@mms/barcode-render';

/** Every symbology of the contracts, in their order. */
export const BENCH_SYMBOLOGIES: readonly Symbology[] = Object.values(Symbology);

const withCheckDigit = (digits: string): string => `${digits}${gs1CheckDigit(digits)}`;
const digits = (i: number, length: number): string => String(i).padStart(length, '0').slice(-length);

/** The i-th distinct ticket-like value of a symbology. */
export function benchValue(symbology: Symbology, i: number): string {
  const n = 100_000 + i;
  switch (symbology) {
    case 'QRCODE':
    case 'AZTEC':
    case 'PDF417':
    case 'DATAMATRIX':
    case 'CODE128':
      return `Ticket_${n}`;
    case 'CODE39':
      return `TICKET-${n}`;
    case 'EAN13':
      return withCheckDigit(`400638${digits(n, 6)}`);
    case 'UPCA':
      return withCheckDigit(`03600${digits(n, 6)}`);
    case 'ITF14':
      return withCheckDigit(`1001234${digits(n, 6)}`);
    case 'GS1_128':
      return `(01)${withCheckDigit(`0950110${digits(n, 6)}`)}(10)ABC${n}`;
  }
}

export interface RenderRate {
  /** MatrixPngRenderer renders per CPU-second. */
  readonly ours: number;
  /** bwip-js (the BwipRenderer adapter: toBuffer, its PNG returned as is) renders per CPU-second. */
  readonly bwip: number;
}

export interface MeasureOptions {
  /** CPU time per measurement (one renderer, one symbology), in ms. Default 750. */
  readonly durationMs?: number;
  readonly symbologies?: readonly Symbology[];
  /** Barcode settings as stored on a database row; default {} (the defaults). */
  readonly settings?: unknown;
}

const cpuMicros = (): number => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

async function rate(renderer: BarcodeRenderer, symbology: Symbology, settings: BarcodeSettings, durationMs: number, offset: number): Promise<number> {
  // Warm-up outside the measured time: first-use tables, JIT.
  for (let i = 0; i < 5; i += 1) await renderer.render(symbology, benchValue(symbology, offset + 1_000_000 + i), settings);
  const start = cpuMicros();
  const budget = durationMs * 1000;
  let renders = 0;
  let elapsed = 0;
  while (elapsed < budget) {
    await renderer.render(symbology, benchValue(symbology, offset + renders), settings);
    renders += 1;
    elapsed = cpuMicros() - start;
  }
  return renders / (elapsed / 1e6);
}

/** Renders per CPU-second of this process, ours and bwip-js, per symbology, measured in turn. */
export async function measureRenders(options: MeasureOptions = {}): Promise<Record<Symbology, RenderRate>> {
  const settings = parseBarcodeSettings(options.settings ?? {});
  const durationMs = options.durationMs ?? 750;
  const ours = new MatrixPngRenderer();
  const bwip = new BwipRenderer();
  const rates = {} as Record<Symbology, RenderRate>;
  for (const symbology of options.symbologies ?? BENCH_SYMBOLOGIES) {
    rates[symbology] = {
      ours: await rate(ours, symbology, settings, durationMs, 0),
      bwip: await rate(bwip, symbology, settings, durationMs, 0),
    };
  }
  return rates;
}

/** QR Code's floor per CPU-second, and every symbology's floor as a multiple of bwip-js. */
export const TARGETS = { qrPerCpuSecond: 1000, timesBwip: 2 } as const;

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 0.75);
  const rates = await measureRenders({ durationMs: seconds * 1000 });
  const rows = Object.entries(rates).map(([symbology, { ours, bwip }]) => {
    const ratio = ours / bwip;
    const ok = ratio >= TARGETS.timesBwip && (symbology !== 'QRCODE' || ours >= TARGETS.qrPerCpuSecond);
    return { symbology, 'ours /CPU-s': Math.round(ours), 'bwip-js /CPU-s': Math.round(bwip), 'x bwip-js': Number(ratio.toFixed(1)), target: ok ? 'met' : 'MISSED' };
  });
  console.table(rows);
  if (rows.some((row) => row.target !== 'met')) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
