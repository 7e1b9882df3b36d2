/**
 * Test support for the encoders' property tests (not exported from the lib's index): a module
 * matrix drawn as production draws it, read back by an independent decoder, and the random
 * values those tests draw.
 */
import fc from 'fast-check';
// The repository's shared test decoder (test/ is test support, not a project to depend on).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { decodeBarcodes } from '../../../../test/barcode-decoder';
import { matrixImage } from './barcode-raster';
import { encodeBilevelPng } from './png/bilevel-png';

/** What ZXing reads (plain text mode: control characters as they are) from a square symbol. */
export function readSymbol(
  symbol: { readonly modules: Uint8Array; readonly size: number },
  format: 'QRCode' | 'Aztec' | 'DataMatrix',
  modulePx: number,
  quietZoneModules: number,
): Promise<string[]> {
  const png = encodeBilevelPng(matrixImage(symbol.modules, symbol.size, symbol.size, modulePx, quietZoneModules), {
    foreground: '000000',
    background: 'FFFFFF',
  });
  return decodeBarcodes(png, { formats: [format], textMode: 'Plain' });
}

/** A string of exactly `length` units of `unit`, lengths spread evenly up to `maxLength`. */
export const stringOf = (unit: fc.Arbitrary<string> | 'binary-ascii' | 'grapheme', maxLength: number): fc.Arbitrary<string> =>
  fc.integer({ min: 1, max: maxLength }).chain((length) => fc.string({ unit, minLength: length, maxLength: length }));
