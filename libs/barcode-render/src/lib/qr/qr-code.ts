/**
 * QR Code encoder after ISO/IEC 18004:2015: versions 1-40, error-correction levels L/M/Q/H.
 * Everything that depends only on the version (function patterns, placement order, masks) is
 * built once per version and reused, so a symbol costs its codewords, their error correction and
 * eight mask evaluations.
 */
import { type QrData, type QrMode, encodeData } from './qr-data';
import { MASK_COUNT, drawFormatBits, formatInformation, penaltyScore, versionTemplate } from './qr-matrix';
import { QR_FIELD } from '../reed-solomon';
import { type QrErrorCorrection, blockLayout } from './qr-tables';

export interface QrSymbol {
  readonly version: number;
  readonly level: QrErrorCorrection;
  readonly mode: QrMode;
  readonly eci: boolean;
  readonly mask: number;
  /** Modules a side, quiet zone not included. */
  readonly size: number;
  /** size x size, row-major, 1 for a dark module. */
  readonly modules: Uint8Array;
}

export interface QrOptions {
  /** Use this mask instead of the one with the lowest penalty (for tests and comparisons). */
  readonly mask?: number;
  /** The smallest version to use. */
  readonly minVersion?: number;
  /** Treat the level as a minimum: use the highest level the chosen version holds the value at. */
  readonly boostLevel?: boolean;
}

/** Throws UnencodableBarcodeError when the value exceeds version 40's capacity at minLevel. */
export function encodeQr(value: string, minLevel: QrErrorCorrection, options: QrOptions = {}): QrSymbol {
  const data = encodeData(value, minLevel, options);
  const { level } = data;
  const codewords = interleaveWithErrorCorrection(data);
  const template = versionTemplate(data.version);
  const { size, placement, masks } = template;

  // Codeword bits, most significant first, into the encoding region; remainder bits stay 0.
  const unmasked = template.functionModules.slice();
  const bits = codewords.length * 8;
  for (let i = 0; i < bits; i += 1) unmasked[placement[i]] = (codewords[i >>> 3] >>> (7 - (i & 7))) & 1;

  const modules = new Uint8Array(unmasked.length);
  if (options.mask !== undefined) {
    applyMask(unmasked, masks[options.mask], modules);
    drawFormatBits(modules, size, formatInformation(level, options.mask));
    return { version: data.version, level, mode: data.mode, eci: data.eci, mask: options.mask, size, modules };
  }
  let bestMask = 0;
  let bestScore = Infinity;
  for (let mask = 0; mask < MASK_COUNT; mask += 1) {
    applyMask(unmasked, masks[mask], modules);
    drawFormatBits(modules, size, formatInformation(level, mask));
    const score = penaltyScore(modules, size);
    if (score < bestScore) {
      bestScore = score;
      bestMask = mask;
    }
  }
  applyMask(unmasked, masks[bestMask], modules);
  drawFormatBits(modules, size, formatInformation(level, bestMask));
  return { version: data.version, level, mode: data.mode, eci: data.eci, mask: bestMask, size, modules };
}

function applyMask(unmasked: Uint8Array, mask: Uint8Array, out: Uint8Array): void {
  for (let i = 0; i < out.length; i += 1) out[i] = unmasked[i] ^ mask[i];
}

/**
 * §7.5.2 and §7.6: the data codewords split into blocks (the short ones first), error
 * correction per block, then the final sequence: data codewords column by column across the
 * blocks, then error-correction codewords likewise.
 */
export function interleaveWithErrorCorrection(data: Pick<QrData, 'version' | 'level' | 'codewords'>): Uint8Array {
  const { totalCodewords, eccPerBlock, blocks, shortBlocks, shortBlockData } = blockLayout(data.version, data.level);
  const out = new Uint8Array(totalCodewords);
  const ecc = new Uint8Array(blocks * eccPerBlock);
  const blockStart = (block: number): number => block * shortBlockData + Math.max(0, block - shortBlocks);
  for (let block = 0; block < blocks; block += 1) {
    const length = shortBlockData + (block < shortBlocks ? 0 : 1);
    QR_FIELD.remainder(data.codewords, blockStart(block), length, eccPerBlock, ecc, block * eccPerBlock);
  }
  let k = 0;
  for (let i = 0; i <= shortBlockData; i += 1) {
    for (let block = 0; block < blocks; block += 1) {
      if (i < shortBlockData || block >= shortBlocks) out[k++] = data.codewords[blockStart(block) + i];
    }
  }
  for (let i = 0; i < eccPerBlock; i += 1) {
    for (let block = 0; block < blocks; block += 1) out[k++] = ecc[block * eccPerBlock + i];
  }
  return out;
}
