/**
 * The QR Code module matrix (ISO/IEC 18004:2015 §7.6-§7.10): function patterns, codeword
 * placement, the eight data masks and their penalty score, format and version information.
 * Matrices are Uint8Array rows, size x size, row-major, 1 for a dark module.
 */
import { EC_LEVEL_BITS, MAX_VERSION, type QrErrorCorrection, alignmentPatternPositions, symbolSize } from './qr-tables';

export const MASK_COUNT = 8;

/** Everything about a version that does not depend on the data: built once per version. */
export interface VersionTemplate {
  readonly version: number;
  readonly size: number;
  /** Finder, separator, timing and alignment patterns, the dark module and version information. */
  readonly functionModules: Uint8Array;
  /** 1 where a function pattern or the (reserved) format information is. */
  readonly isFunction: Uint8Array;
  /** Indices of the encoding region's modules in codeword placement order (§7.7.3). */
  readonly placement: Uint16Array;
  /** Per mask, 1 for each module of the encoding region the mask inverts (§7.8.2, Table 10). */
  readonly masks: readonly Uint8Array[];
}

const templates: (VersionTemplate | undefined)[] = new Array(MAX_VERSION + 1);

export function versionTemplate(version: number): VersionTemplate {
  return (templates[version] ??= buildTemplate(version));
}

/** §7.8.2 Table 10, with i the row and j the column. */
const MASK_CONDITIONS: readonly ((i: number, j: number) => boolean)[] = [
  (i, j) => (i + j) % 2 === 0,
  (i) => i % 2 === 0,
  (_i, j) => j % 3 === 0,
  (i, j) => (i + j) % 3 === 0,
  (i, j) => (Math.floor(i / 2) + Math.floor(j / 3)) % 2 === 0,
  (i, j) => ((i * j) % 2) + ((i * j) % 3) === 0,
  (i, j) => (((i * j) % 2) + ((i * j) % 3)) % 2 === 0,
  (i, j) => (((i * j) % 3) + ((i + j) % 2)) % 2 === 0,
];

function buildTemplate(version: number): VersionTemplate {
  const size = symbolSize(version);
  const modules = new Uint8Array(size * size);
  const isFunction = new Uint8Array(size * size);
  const set = (x: number, y: number, dark: boolean): void => {
    modules[y * size + x] = dark ? 1 : 0;
    isFunction[y * size + x] = 1;
  };

  // §7.3.5 timing patterns on row and column 6, dark on even positions.
  for (let i = 0; i < size; i += 1) {
    set(6, i, i % 2 === 0);
    set(i, 6, i % 2 === 0);
  }
  // §7.3.2 finder patterns with their separators (§7.3.3), clipped at the symbol's edge.
  for (const [cx, cy] of [
    [3, 3],
    [size - 4, 3],
    [3, size - 4],
  ] as const) {
    for (let dy = -4; dy <= 4; dy += 1) {
      for (let dx = -4; dx <= 4; dx += 1) {
        const x = cx + dx;
        const y = cy + dy;
        const ring = Math.max(Math.abs(dx), Math.abs(dy));
        if (x >= 0 && x < size && y >= 0 && y < size) set(x, y, ring !== 2 && ring !== 4);
      }
    }
  }
  // §7.3.6 alignment patterns, except where they would overlap a finder pattern.
  const centres = alignmentPatternPositions(version);
  const last = centres.length - 1;
  for (let a = 0; a <= last; a += 1) {
    for (let b = 0; b <= last; b += 1) {
      if ((a === 0 && b === 0) || (a === 0 && b === last) || (a === last && b === 0)) continue;
      for (let dy = -2; dy <= 2; dy += 1) {
        for (let dx = -2; dx <= 2; dx += 1) set(centres[a] + dx, centres[b] + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
      }
    }
  }
  // Reserve both copies of the format information (written per mask) and set the dark module.
  drawFormatBits(modules, size, 0);
  for (const index of formatPositions(size)) isFunction[index] = 1;
  set(8, size - 8, true);
  // §7.10 version information, versions 7 and up: two 6x3 blocks.
  if (version >= 7) {
    const bits = versionInformation(version);
    for (let i = 0; i < 18; i += 1) {
      const dark = ((bits >>> i) & 1) === 1;
      const a = size - 11 + (i % 3);
      const b = Math.floor(i / 3);
      set(a, b, dark);
      set(b, a, dark);
    }
  }

  // §7.7.3: two-module columns from the right, alternately upwards and downwards, skipping the
  // vertical timing pattern.
  const placement: number[] = [];
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    const upward = ((right + 1) & 2) === 0;
    for (let step = 0; step < size; step += 1) {
      const y = upward ? size - 1 - step : step;
      for (let x = right; x >= right - 1; x -= 1) {
        if (isFunction[y * size + x] === 0) placement.push(y * size + x);
      }
    }
  }

  const masks = MASK_CONDITIONS.map((condition) => {
    const mask = new Uint8Array(size * size);
    for (const index of placement) mask[index] = condition(Math.floor(index / size), index % size) ? 1 : 0;
    return mask;
  });
  return { version, size, functionModules: modules, isFunction, placement: Uint16Array.from(placement), masks };
}

/** §7.9.1: 5 data bits (level, mask), BCH(15,5) with generator 0x537, XORed with 0x5412. */
export function formatInformation(level: QrErrorCorrection, mask: number): number {
  const data = (EC_LEVEL_BITS[level] << 3) | mask;
  let remainder = data;
  for (let i = 0; i < 10; i += 1) remainder = (remainder << 1) ^ ((remainder >>> 9) * 0x537);
  return ((data << 10) | (remainder & 0x3ff)) ^ 0x5412;
}

/** §7.10: the 6-bit version and BCH(18,6) with generator 0x1F25. */
export function versionInformation(version: number): number {
  let remainder = version;
  for (let i = 0; i < 12; i += 1) remainder = (remainder << 1) ^ ((remainder >>> 11) * 0x1f25);
  return (version << 12) | (remainder & 0xfff);
}

/**
 * Module indices of format information bits 0-14, first copy (around the top-left finder) then
 * second copy (below the top-right and right of the bottom-left finder), per Figure 25.
 */
function formatPositions(size: number): number[] {
  const at = (x: number, y: number): number => y * size + x;
  const first: number[] = [];
  for (let i = 0; i <= 5; i += 1) first.push(at(8, i));
  first.push(at(8, 7), at(8, 8), at(7, 8));
  for (let i = 9; i < 15; i += 1) first.push(at(14 - i, 8));
  const second: number[] = [];
  for (let i = 0; i < 8; i += 1) second.push(at(size - 1 - i, 8));
  for (let i = 8; i < 15; i += 1) second.push(at(8, size - 15 + i));
  return [...first, ...second];
}

const formatPositionCache = new Map<number, Int32Array>();

export function drawFormatBits(modules: Uint8Array, size: number, bits: number): void {
  let positions = formatPositionCache.get(size);
  if (positions === undefined) {
    positions = Int32Array.from(formatPositions(size));
    formatPositionCache.set(size, positions);
  }
  for (let i = 0; i < 15; i += 1) {
    const bit = (bits >>> i) & 1;
    modules[positions[i]] = bit;
    modules[positions[i + 15]] = bit;
  }
}

const PENALTY_RUN = 3;
const PENALTY_BLOCK = 3;
const PENALTY_FINDER = 40;
const PENALTY_BALANCE = 10;

/**
 * §7.8.3.1 Table 11: the penalty of a masked symbol (lower is better): runs of five or more
 * same-coloured modules in a row or column, 2x2 blocks of one colour, 1:1:3:1:1 finder-like
 * patterns with four light modules on one side (the area outside the symbol counts as light),
 * and the dark share's distance from 50 %.
 */
export function penaltyScore(modules: Uint8Array, size: number): number {
  let score = 0;
  for (let line = 0; line < size; line += 1) {
    score += linePenalty(modules, line * size, 1, size);
    score += linePenalty(modules, line, size, size);
  }
  let dark = 0;
  for (let i = 0; i < modules.length; i += 1) dark += modules[i];
  for (let y = 0; y + 1 < size; y += 1) {
    let i = y * size;
    const end = i + size - 1;
    for (; i < end; i += 1) {
      const colour = modules[i];
      if (colour === modules[i + 1] && colour === modules[i + size] && colour === modules[i + size + 1]) score += PENALTY_BLOCK;
    }
  }
  const total = size * size;
  const k = Math.ceil(Math.abs(dark * 20 - total * 10) / total) - 1;
  return score + k * PENALTY_BALANCE;
}

/**
 * Rules 1 and 3 along one row (stride 1) or column (stride size). Rule 3 looks at the last
 * seven run lengths, kept in locals (r0 the most recent) so that scoring allocates nothing; the
 * light area beyond either edge of the line counts as a light run `size` long.
 */
function linePenalty(modules: Uint8Array, start: number, stride: number, size: number): number {
  let score = 0;
  let finders = 0;
  let r0 = 0;
  let r1 = 0;
  let r2 = 0;
  let r3 = 0;
  let r4 = 0;
  let r5 = 0;
  let r6 = 0;
  let runColour = 0;
  let run = 0;
  // Until the first run is pushed, the current (light) run includes the area before the edge.
  let border = size;
  for (let i = 0, index = start; i < size; i += 1, index += stride) {
    const colour = modules[index];
    if (colour === runColour) {
      run += 1;
      if (run === 5) score += PENALTY_RUN;
      else if (run > 5) score += 1;
      continue;
    }
    r6 = r5;
    r5 = r4;
    r4 = r3;
    r3 = r2;
    r2 = r1;
    r1 = r0;
    r0 = run + border;
    border = 0;
    if (runColour === 0) finders += finderLike(r0, r1, r2, r3, r4, r5, r6);
    runColour = colour;
    run = 1;
  }
  if (runColour === 1) {
    r6 = r5;
    r5 = r4;
    r4 = r3;
    r3 = r2;
    r2 = r1;
    r1 = r0;
    r0 = run;
    run = 0;
  }
  // The last light run, with the area beyond the edge (and before it, if the line is all light).
  r6 = r5;
  r5 = r4;
  r4 = r3;
  r3 = r2;
  r2 = r1;
  r1 = r0;
  r0 = run + border + size;
  finders += finderLike(r0, r1, r2, r3, r4, r5, r6);
  return score + finders * PENALTY_FINDER;
}

/**
 * Finder-like patterns ending at a light run r0: dark-light-dark-light-dark runs n, n, 3n, n, n
 * (r5..r1) with at least 4n light on one side and n on the other.
 */
function finderLike(r0: number, r1: number, r2: number, r3: number, r4: number, r5: number, r6: number): number {
  const n = r1;
  if (n === 0 || r2 !== n || r3 !== n * 3 || r4 !== n || r5 !== n) return 0;
  return (r0 >= n * 4 && r6 >= n ? 1 : 0) + (r6 >= n * 4 && r0 >= n ? 1 : 0);
}
