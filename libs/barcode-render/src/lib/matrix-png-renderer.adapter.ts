import { Injectable } from '@nestjs/common';
import bwipjs from 'bwip-js';
import sharp from 'sharp';
import { BarcodeSettings, Symbology, effectiveQuietZone } from '@mms/contracts';
import { encodeAztec } from './aztec/aztec-code';
import { type LinearPattern, linearImage, matrixImage } from './barcode-raster';
import { BarcodeRenderer, RenderedBarcode, UnencodableBarcodeError } from './barcode-renderer';
import { BwipRenderer } from './bwip-renderer.adapter';
import { encodeDataMatrix } from './datamatrix/data-matrix';
import type { DeclaresModulePxStep } from './handset-fit';
import { type BilevelImage, encodeBilevelPng } from './png/bilevel-png';
import { encodeQr } from './qr/qr-code';

/** How each symbology is encoded: our encoders, or bwip-js's encoder without its drawing. */
type Encoding =
  | { readonly kind: 'qr' }
  | { readonly kind: 'datamatrix' }
  | { readonly kind: 'aztec' }
  | { readonly kind: 'bwip-matrix'; readonly bcid: string }
  | { readonly kind: 'bwip-linear'; readonly bcid: string; readonly pattern?: Pick<LinearPattern, 'ratio' | 'border'> };

/**
 * bwip-js.raw() runs BWIPP's encoder and returns the pattern without drawing it. For PDF417 and
 * the linear codes the drawing is where bwip-js's time goes, so they keep BWIPP's encoding, exact
 * by construction, and only the drawing is ours. For QR Code, Aztec and Data Matrix the encoder
 * itself costs most of bwip-js's time (raw() alone reached 2-4x toBuffer for Aztec and Data
 * Matrix, too close to the 2x target; scripts/bench-render.ts): they have our own encoders.
 */
const encodings: Readonly<Record<Symbology, Encoding>> = {
  QRCODE: { kind: 'qr' },
  AZTEC: { kind: 'aztec' },
  DATAMATRIX: { kind: 'datamatrix' },
  PDF417: { kind: 'bwip-matrix', bcid: 'pdf417' },
  CODE128: { kind: 'bwip-linear', bcid: 'code128' },
  CODE39: { kind: 'bwip-linear', bcid: 'code39' },
  EAN13: { kind: 'bwip-linear', bcid: 'ean13' },
  UPCA: { kind: 'bwip-linear', bcid: 'upca' },
  // BWIPP's itf14 draws with barratio/spaceratio 2 and bearer bars (a border 4 points wide, 10
  // points left and right of the bars, overlapping them by 0.55 points), none of which raw()
  // returns: its defaults, checked against bwip-js's own drawing in the unit test.
  ITF14: { kind: 'bwip-linear', bcid: 'itf14', pattern: { ratio: 2, border: { width: 4, left: 10, right: 10, top: -0.55, bottom: -0.55 } } },
  GS1_128: { kind: 'bwip-linear', bcid: 'gs1-128' },
};

const contentTypes = { png: 'image/png', gif: 'image/gif', jpeg: 'image/jpeg' } as const;

interface RawMatrix {
  readonly pixs: number[];
  readonly pixx: number;
  readonly pixy: number;
}
interface RawLinear {
  readonly sbs: number[];
  readonly bhs: number[];
  readonly bbs: number[];
}

/**
 * Draws barcodes as two-colour PNGs directly from their module patterns, at any whole number of
 * pixels per module: QR Code, Aztec and Data Matrix from our encoders (qr/, aztec/, datamatrix/),
 * PDF417 and the linear codes from bwip-js's encoder (raw(), no drawing). Linear codes have
 * bwip-js's geometry pixel for pixel (bar height from barHeightMm at 72 dpi, quiet zone left and
 * right, a quarter of it above and below), ITF-14's bearer bars in the foreground colour (bwip-js
 * draws them black whatever the bar colour); 2-D codes the quiet zone on every side. GIF and JPEG
 * are made from the PNG by sharp.
 */
@Injectable()
export class MatrixPngRenderer implements BarcodeRenderer, DeclaresModulePxStep {
  /** Human-readable text under linear codes needs a font: that setting alone is bwip-js's. */
  private readonly textRenderer = new BwipRenderer();

  /** Every whole number of pixels per module, for every symbology. */
  modulePxStep(): number {
    return 1;
  }

  async render(symbology: Symbology, value: string, settings: BarcodeSettings): Promise<RenderedBarcode> {
    const encoding = encodings[symbology];
    if (encoding.kind === 'bwip-linear' && settings.humanReadableText) return this.textRenderer.render(symbology, value, settings);
    const modulePx = Math.max(1, Math.round(settings.moduleSize));
    const image = drawnImage(symbology, encoding, value, settings, modulePx);
    const png = encodeBilevelPng(image, settings);
    const { width, height } = image;
    if (settings.format === 'png') return { bytes: png, contentType: contentTypes.png, width, height, modulePx };
    const converted = sharp(png);
    const bytes =
      settings.format === 'gif' ? await converted.gif().toBuffer() : await converted.jpeg({ quality: 95, chromaSubsampling: '4:4:4' }).toBuffer();
    return { bytes, contentType: contentTypes[settings.format], width, height, modulePx };
  }
}

function drawnImage(symbology: Symbology, encoding: Encoding, value: string, settings: BarcodeSettings, modulePx: number): BilevelImage {
  const quiet = effectiveQuietZone(symbology, settings);
  switch (encoding.kind) {
    case 'qr': {
      // The level is a minimum, as bwip-js treats it: a higher one that fits the same version
      // costs nothing in size.
      const symbol = encodeQr(value, settings.errorCorrection, { boostLevel: true });
      return matrixImage(symbol.modules, symbol.size, symbol.size, modulePx, quiet);
    }
    case 'datamatrix': {
      const symbol = encodeDataMatrix(value);
      return matrixImage(symbol.modules, symbol.size, symbol.size, modulePx, quiet);
    }
    case 'aztec': {
      const symbol = encodeAztec(value);
      return matrixImage(symbol.modules, symbol.size, symbol.size, modulePx, quiet);
    }
    case 'bwip-matrix': {
      const { pixs, pixx, pixy } = bwipRaw<RawMatrix>(symbology, { bcid: encoding.bcid, text: value });
      // PDF417 comes as its distinct rows, each pixy / rows modules high.
      const rows = pixs.length / pixx;
      return matrixImage(pixs, pixx, rows, modulePx, quiet, pixy / rows);
    }
    case 'bwip-linear': {
      // raw() takes the height in inches (toBuffer converts from millimetres itself).
      const { sbs, bhs, bbs } = bwipRaw<RawLinear>(symbology, { bcid: encoding.bcid, text: value, height: settings.barHeightMm / 25.4 });
      return linearImage({ sbs, bhs, bbs, ...encoding.pattern }, modulePx, quiet);
    }
  }
}

function bwipRaw<T>(symbology: Symbology, options: { bcid: string; text: string; height?: number }): T {
  try {
    const [pattern] = bwipjs.raw(options);
    if (pattern === undefined) throw new Error('bwip-js returned no pattern');
    return pattern as T;
  } catch (error) {
    throw new UnencodableBarcodeError(symbology, error instanceof Error ? error.message : String(error));
  }
}
