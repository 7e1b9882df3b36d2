/**
 * QR Code symbol tables (ISO/IEC 18004:2015): error-correction blocks per version and level
 * (Table 9), alignment pattern positions (Annex E) and capacities derived from them.
 */

export type QrErrorCorrection = 'L' | 'M' | 'Q' | 'H';

export const MIN_VERSION = 1;
export const MAX_VERSION = 40;

/** Format information's two error-correction bits (§7.9.1, Table 12): L 01, M 00, Q 11, H 10. */
export const EC_LEVEL_BITS: Readonly<Record<QrErrorCorrection, number>> = { L: 1, M: 0, Q: 3, H: 2 };

/** Table 9: error-correction codewords per block, by level, for versions 1-40 (index 0 unused). */
const ECC_PER_BLOCK: Readonly<Record<QrErrorCorrection, readonly number[]>> = {
  L: [0, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
  M: [0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28],
  Q: [0, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
  H: [0, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
};

/** Table 9: number of error-correction blocks, by level, for versions 1-40 (index 0 unused). */
const BLOCKS: Readonly<Record<QrErrorCorrection, readonly number[]>> = {
  L: [0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25],
  M: [0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49],
  Q: [0, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68],
  H: [0, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81],
};

export function symbolSize(version: number): number {
  return 17 + 4 * version;
}

/** Row/column centres of the alignment patterns (Annex E, Table E.1). */
export function alignmentPatternPositions(version: number): number[] {
  if (version === 1) return [];
  const count = Math.floor(version / 7) + 2;
  // Evenly spaced from the last position (size - 7) back towards 6, the spacing even; version 32
  // is the one exception to the rounding.
  const step = version === 32 ? 26 : Math.ceil((version * 4 + 4) / (count * 2 - 2)) * 2;
  const positions = [6];
  for (let position = symbolSize(version) - 7; positions.length < count; position -= step) positions.splice(1, 0, position);
  return positions;
}

/** Modules left for codewords (data and error correction) once the function patterns are placed. */
export function rawDataModules(version: number): number {
  let modules = (16 * version + 128) * version + 64;
  if (version >= 2) {
    const alignments = Math.floor(version / 7) + 2;
    modules -= (25 * alignments - 10) * alignments - 55;
    if (version >= 7) modules -= 36;
  }
  return modules;
}

export interface BlockLayout {
  readonly totalCodewords: number;
  readonly dataCodewords: number;
  readonly eccPerBlock: number;
  readonly blocks: number;
  /** Blocks of the first group (one data codeword fewer than the second group's). */
  readonly shortBlocks: number;
  /** Data codewords in a short block. */
  readonly shortBlockData: number;
}

const layouts = new Map<number, BlockLayout>();

export function blockLayout(version: number, level: QrErrorCorrection): BlockLayout {
  const key = version * 4 + EC_LEVEL_BITS[level];
  let layout = layouts.get(key);
  if (layout === undefined) {
    const totalCodewords = Math.floor(rawDataModules(version) / 8);
    const eccPerBlock = ECC_PER_BLOCK[level][version];
    const blocks = BLOCKS[level][version];
    const shortBlockTotal = Math.floor(totalCodewords / blocks);
    layout = {
      totalCodewords,
      dataCodewords: totalCodewords - eccPerBlock * blocks,
      eccPerBlock,
      blocks,
      shortBlocks: blocks - (totalCodewords % blocks),
      shortBlockData: shortBlockTotal - eccPerBlock,
    };
    layouts.set(key, layout);
  }
  return layout;
}
