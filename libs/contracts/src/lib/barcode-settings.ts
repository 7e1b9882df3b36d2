import { z } from 'zod';

export const Symbology = {
  QrCode: 'QRCODE',
  Aztec: 'AZTEC',
  Pdf417: 'PDF417',
  DataMatrix: 'DATAMATRIX',
  Code128: 'CODE128',
  Code39: 'CODE39',
  Ean13: 'EAN13',
  UpcA: 'UPCA',
  Itf14: 'ITF14',
  Gs1_128: 'GS1_128',
} as const;
export type Symbology = (typeof Symbology)[keyof typeof Symbology];

/** Minimum quiet zone in modules per symbology (../shared/mm7/NOTES.md, the symbology standards). */
export const minimumQuietZone: Readonly<Record<Symbology, number>> = {
  QRCODE: 4,
  AZTEC: 1,
  PDF417: 2,
  DATAMATRIX: 2,
  CODE128: 10,
  CODE39: 10,
  EAN13: 10,
  UPCA: 10,
  ITF14: 10,
  GS1_128: 10,
};

const hexColour = z.string().regex(/^[0-9A-Fa-f]{6}$/, 'must be a 6-digit hex colour like 000000');

/**
 * A barcode database's image settings, stored as JSON on the database row. Every field has a
 * default so an empty object renders a scannable ticket-sized image.
 */
export const barcodeSettingsSchema = z
  .object({
    /** Pixels per module: an integer, so no module is ever resampled. */
    moduleSize: z.number().int().min(2).max(20).default(8),
    /** Quiet zone in modules; raised to the symbology's minimum, never lowered below it. */
    quietZoneModules: z.number().int().min(0).max(40).optional(),
    /** Error-correction level for QR Code (L, M, Q, H). */
    errorCorrection: z.enum(['L', 'M', 'Q', 'H']).default('M'),
    /** Bar height in millimetres for linear symbologies. */
    barHeightMm: z.number().min(5).max(50).default(15),
    humanReadableText: z.boolean().default(false),
    foreground: hexColour.default('000000'),
    background: hexColour.default('FFFFFF'),
    format: z.enum(['png', 'gif', 'jpeg']).default('png'),
  })
  .strict()
  .superRefine((settings, ctx) => {
    const ratio = contrastRatio(settings.foreground, settings.background);
    if (relativeLuminance(settings.foreground) >= relativeLuminance(settings.background)) {
      ctx.addIssue({ code: 'custom', path: ['foreground'], message: 'must be darker than background (scanners read dark bars on a light ground)' });
    } else if (ratio < MINIMUM_CONTRAST) {
      ctx.addIssue({
        code: 'custom',
        path: ['foreground'],
        message: `contrast with background is ${ratio.toFixed(1)}:1, at least ${MINIMUM_CONTRAST}:1 is needed`,
      });
    }
  });

/** Foreground/background contrast ratio (WCAG 2 definition) below which a database is refused. */
export const MINIMUM_CONTRAST = 7;

/** WCAG 2 relative luminance of a 6-digit hex sRGB colour. */
export function relativeLuminance(hex: string): number {
  const channel = (offset: number) => {
    const c = parseInt(hex.slice(offset, offset + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4);
}

export function contrastRatio(foreground: string, background: string): number {
  const [dark, light] = [relativeLuminance(foreground), relativeLuminance(background)].sort((a, b) => a - b) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

export type BarcodeSettings = z.output<typeof barcodeSettingsSchema>;

export function parseBarcodeSettings(raw: unknown): BarcodeSettings {
  const result = barcodeSettingsSchema.safeParse(raw ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`invalid barcode setting ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'unknown'}`);
  }
  return result.data;
}

export function effectiveQuietZone(symbology: Symbology, settings: BarcodeSettings): number {
  return Math.max(settings.quietZoneModules ?? 0, minimumQuietZone[symbology]);
}
