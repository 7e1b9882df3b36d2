/**
 * Aztec Code encoder after ISO/IEC 24778:2008, full-range symbols of 1-32 layers, the only ones
 * bwip-js draws by default, and its error-correction rule (23 % of the codewords plus 3, §7.2.3
 * recommends at least that): the same symbol sizes as the images of the bwip-js adapter.
 *
 * High-level encoding (§7.3): the shortest sequence of the five character sets (Upper, Lower,
 * Mixed, Punct, Digit) with their latches and shifts, found by dynamic programming over the
 * current set; bytes no set holds go in Binary Shift runs. Non-ASCII text is written as UTF-8
 * bytes after FLG(2) "26", ECI 000026, so that readers need not guess the character set.
 */
import { UnencodableBarcodeError } from '../barcode-renderer';
import { GaloisField } from '../reed-solomon';

/** §7.2.2: codeword sizes by layer count (index 0 is the mode message's 4-bit words). */
const WORD_SIZE = [4, 6, 6, 8, 8, 8, 8, 8, 8, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12];
/** §7.2.3 Table 4: the Galois fields, generator roots 2^1, 2^2, ... */
const FIELDS: Readonly<Record<number, GaloisField>> = {
  4: new GaloisField(4, 0x13, 1),
  6: new GaloisField(6, 0x43, 1),
  8: new GaloisField(8, 0x12d, 1),
  10: new GaloisField(10, 0x409, 1),
  12: new GaloisField(12, 0x1069, 1),
};
const MAX_LAYERS = 32;
/** BWIPP's defaults (eclevel 23, ecaddchars 3): check words at least 23 % of the symbol's plus 3. */
const EC_PERCENT = 23;
const EC_ADD_WORDS = 3;

export interface AztecSymbol {
  readonly layers: number;
  /** Modules a side. */
  readonly size: number;
  readonly dataWords: number;
  readonly eci: boolean;
  /** size x size, row-major, 1 for a dark module. */
  readonly modules: Uint8Array;
}

export function encodeAztec(value: string): AztecSymbol {
  if (value.length === 0) throw new UnencodableBarcodeError('AZTEC', 'the value is empty');
  if (/[\uD800-\uDFFF]/u.test(value)) {
    throw new UnencodableBarcodeError('AZTEC', 'the value has an unpaired UTF-16 surrogate, which has no UTF-8 encoding');
  }
  const bytes = Buffer.from(value, 'utf8');
  const eci = bytes.length !== value.length;
  const bits = highLevelEncode(bytes, eci);

  for (let layers = 1; layers <= MAX_LAYERS; layers += 1) {
    const wordSize = WORD_SIZE[layers];
    const totalWords = Math.floor(totalBitsInLayers(layers) / wordSize);
    const checkWords = Math.ceil((totalWords * EC_PERCENT) / 100 + EC_ADD_WORDS);
    // Quick bound before stuffing (stuffing only adds bits).
    if (Math.ceil(bits.length / wordSize) > totalWords - checkWords) continue;
    const words = stuffBits(bits, wordSize);
    if (words.length > totalWords - checkWords) continue;
    const modules = drawSymbol(layers, words);
    return { layers, size: symbolSize(layers), dataWords: words.length, eci, modules };
  }
  throw new UnencodableBarcodeError('AZTEC', `${bits.length} bits exceed the capacity of a 32-layer symbol`);
}

/** Data and check bits of all layers: (112 + 16 L) L for a full-range symbol (§7.2.1). */
function totalBitsInLayers(layers: number): number {
  return (112 + 16 * layers) * layers;
}

function symbolSize(layers: number): number {
  const base = 14 + 4 * layers;
  return base + 1 + 2 * Math.floor((base / 2 - 1) / 15);
}

// §7.3.1 Table 2: the character sets. Codes of each byte per set (-1: not in the set).
const UPPER = 0;
const LOWER = 1;
const MIXED = 2;
const PUNCT = 3;
const DIGIT = 4;
const MODES = [UPPER, LOWER, MIXED, PUNCT, DIGIT] as const;
type Mode = (typeof MODES)[number];

const CODES: readonly Int8Array[] = MODES.map(() => new Int8Array(256).fill(-1));
for (let i = 0; i < 26; i += 1) {
  CODES[UPPER][65 + i] = 2 + i;
  CODES[LOWER][97 + i] = 2 + i;
}
CODES[UPPER][32] = 1;
CODES[LOWER][32] = 1;
CODES[MIXED][32] = 1;
CODES[DIGIT][32] = 1;
[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 27, 28, 29, 30, 31, 64, 92, 94, 95, 96, 124, 126, 127].forEach((byte, i) => (CODES[MIXED][byte] = 2 + i));
// '!' to '}' at Punct codes 6-30, CR at 1; 2-5 are the pairs below.
CODES[PUNCT][13] = 1;
[...'!"#$%&\'()*+,-./:;<=>?[]{}'].forEach((char, i) => (CODES[PUNCT][char.charCodeAt(0)] = 6 + i));
for (let i = 0; i < 10; i += 1) CODES[DIGIT][48 + i] = 2 + i;
CODES[DIGIT][44] = 12;
CODES[DIGIT][46] = 13;

const BITS: readonly number[] = [5, 5, 5, 5, 4];
/** Punct codes 2-5: CR LF, ". ", ", " and ": " in one code, keyed by first byte * 256 + second. */
const PUNCT_PAIRS = new Map([
  [13 * 256 + 10, 2],
  [46 * 256 + 32, 3],
  [44 * 256 + 32, 4],
  [58 * 256 + 32, 5],
]);
/** Bytes some set holds. */
const ENCODABLE = Uint8Array.from({ length: 256 }, (_, byte) => (CODES.some((codes) => codes[byte] >= 0) ? 1 : 0));

/**
 * Latches (§7.3.2 Table 3): the code words, each in the bit size of the set it is written in,
 * taking the current set to another. Two-step latches go through Upper or Mixed.
 */
const LATCH: readonly (readonly (readonly [number, number][])[])[] = [
  // from Upper
  [[], [[28, 5]], [[29, 5]], [[29, 5], [30, 5]], [[30, 5]]],
  // from Lower
  [[[30, 5], [14, 4]], [], [[29, 5]], [[29, 5], [30, 5]], [[30, 5]]],
  // from Mixed
  [[[29, 5]], [[28, 5]], [], [[30, 5]], [[29, 5], [30, 5]]],
  // from Punct
  [[[31, 5]], [[31, 5], [28, 5]], [[31, 5], [29, 5]], [], [[31, 5], [30, 5]]],
  // from Digit
  [[[14, 4]], [[14, 4], [28, 5]], [[14, 4], [29, 5]], [[14, 4], [29, 5], [30, 5]], []],
];
const latchBits = (from: Mode, to: Mode): number => LATCH[from][to].reduce((sum, [, size]) => sum + size, 0);

/** Binary Shift (code 31 in Upper, Lower and Mixed), its length in 5 bits, or 0 and 11 bits from 32 up. */
const MAX_BINARY_RUN = 2047 + 31;
/** Binary runs tried from each position; longer ones only over bytes no set holds. */
const SHORT_BINARY_RUN = 64;
const binaryShiftBits = (length: number): number => 5 + (length <= 31 ? 5 : 16) + 8 * length;

/** Bit writer into a growable array of bits (0/1). */
class Bits {
  readonly bits: number[] = [];
  write(value: number, size: number): void {
    for (let i = size - 1; i >= 0; i -= 1) this.bits.push((value >>> i) & 1);
  }
}

interface Step {
  /** Set before this step, and the cost so far. */
  readonly from: Mode;
  /** How the step writes its characters. */
  readonly kind: 'latch' | 'shift' | 'binary';
  /** The set the characters are written in (latch and shift). */
  readonly set: Mode;
  /** Characters the step takes (2 for a Punct pair, more for a binary run). */
  readonly length: number;
}

/**
 * The shortest encoding: dp over positions, the state being the current (latched) set. From a
 * set, a character is written after a latch to a set that has it, or after a shift (Punct
 * Shift from every set but Punct, Upper Shift from Lower and Digit), or a run of bytes after a
 * Binary Shift (from Upper, Lower or Mixed; from Punct or Digit after a latch to Upper).
 */
function highLevelEncode(bytes: Uint8Array, eci: boolean): number[] {
  const n = bytes.length;
  const cost: Float64Array[] = Array.from({ length: n + 1 }, () => new Float64Array(5).fill(Infinity));
  const step: (Step | undefined)[][] = Array.from({ length: n + 1 }, () => new Array<Step | undefined>(5));
  // FLG(2) "26" (ECI 000026): Punct Shift, FLG(n) = Punct code 0, n in 3 bits, 2 digits of 4 bits.
  cost[0][UPPER] = eci ? 5 + 5 + 3 + 8 : 0;
  const relax = (position: number, mode: Mode, value: number, how: Step): void => {
    if (value < cost[position][mode]) {
      cost[position][mode] = value;
      step[position][mode] = how;
    }
  };
  // Where the stretch of bytes no set holds that starts at each position ends.
  const stretchEnd = new Int32Array(n + 1);
  stretchEnd[n] = n;
  for (let i = n - 1; i >= 0; i -= 1) stretchEnd[i] = ENCODABLE[bytes[i]] ? i : stretchEnd[i + 1];
  for (let i = 0; i < n; i += 1) {
    const byte = bytes[i];
    for (const from of MODES) {
      const base = cost[i][from];
      if (base === Infinity) continue;
      for (const to of MODES) {
        if (CODES[to][byte] >= 0) relax(i + 1, to, base + latchBits(from, to) + BITS[to], { from, kind: 'latch', set: to, length: 1 });
      }
      if (from !== PUNCT && CODES[PUNCT][byte] >= 0) relax(i + 1, from, base + BITS[from] + 5, { from, kind: 'shift', set: PUNCT, length: 1 });
      if ((from === LOWER || from === DIGIT) && CODES[UPPER][byte] >= 0) {
        relax(i + 1, from, base + BITS[from] + 5, { from, kind: 'shift', set: UPPER, length: 1 });
      }
      if (i + 1 < n && PUNCT_PAIRS.has(byte * 256 + bytes[i + 1])) {
        relax(i + 2, PUNCT, base + latchBits(from, PUNCT) + 5, { from, kind: 'latch', set: PUNCT, length: 2 });
        if (from !== PUNCT) relax(i + 2, from, base + BITS[from] + 5, { from, kind: 'shift', set: PUNCT, length: 2 });
      }
      // Binary runs return to the set they left (Upper after Punct or Digit, latched first).
      const binaryFrom: Mode = from === PUNCT || from === DIGIT ? UPPER : from;
      const enter = base + latchBits(from, binaryFrom);
      const shortest = Math.min(n - i, SHORT_BINARY_RUN);
      for (let length = 1; length <= shortest; length += 1) {
        relax(i + length, binaryFrom, enter + binaryShiftBits(length), { from, kind: 'binary', set: binaryFrom, length });
      }
      const stretch = Math.min(stretchEnd[i] - i, MAX_BINARY_RUN);
      if (stretch > shortest) relax(i + stretch, binaryFrom, enter + binaryShiftBits(stretch), { from, kind: 'binary', set: binaryFrom, length: stretch });
    }
  }
  // Walk back from the cheapest final set.
  let mode = MODES.reduce((best, m) => (cost[n][m] < cost[n][best] ? m : best), UPPER);
  const steps: Step[] = [];
  for (let position = n; position > 0; ) {
    const how = step[position][mode] as Step;
    steps.push(how);
    position -= how.length;
    mode = how.from;
  }
  steps.reverse();

  const out = new Bits();
  if (eci) {
    out.write(0, 5); // P/S
    out.write(0, 5); // FLG(n)
    out.write(2, 3); // n = 2
    out.write(2 + 2, 4); // '2'
    out.write(6 + 2, 4); // '6'
  }
  let position = 0;
  for (const how of steps) {
    const { from } = how;
    const code = how.length === 2 ? (PUNCT_PAIRS.get(bytes[position] * 256 + bytes[position + 1]) as number) : CODES[how.set][bytes[position]];
    if (how.kind === 'latch') {
      for (const [latch, size] of LATCH[from][how.set]) out.write(latch, size);
      out.write(code, BITS[how.set]);
    } else if (how.kind === 'shift') {
      // P/S is code 0 in every set that has it; U/S is 28 in Lower, 15 in Digit.
      out.write(how.set === PUNCT ? 0 : from === LOWER ? 28 : 15, BITS[from]);
      out.write(code, 5);
    } else {
      for (const [code, size] of LATCH[from][how.set]) out.write(code, size);
      out.write(31, 5);
      if (how.length <= 31) out.write(how.length, 5);
      else {
        out.write(0, 5);
        out.write(how.length - 31, 11);
      }
      for (let k = 0; k < how.length; k += 1) out.write(bytes[position + k], 8);
    }
    position += how.length;
  }
  return out.bits;
}

/**
 * §7.3.1.2 bit stuffing into words of `wordSize` bits: a word whose first wordSize - 1 bits are
 * all 0 or all 1 gets the opposite last bit and the bit it displaces starts the next word. The
 * last word is completed with 1s.
 */
function stuffBits(bits: readonly number[], wordSize: number): number[] {
  const words: number[] = [];
  const mask = (1 << wordSize) - 2;
  for (let i = 0; i < bits.length; i += wordSize) {
    let word = 0;
    for (let j = 0; j < wordSize; j += 1) {
      if (i + j >= bits.length || bits[i + j] === 1) word |= 1 << (wordSize - 1 - j);
    }
    if ((word & mask) === mask) {
      words.push(word & mask);
      i -= 1;
    } else if ((word & mask) === 0) {
      words.push(word | 1);
      i -= 1;
    } else words.push(word);
  }
  return words;
}

/** Words followed by their Reed-Solomon check words, as bits preceded by totalBits mod wordSize zeros. */
function withCheckWords(words: readonly number[], totalBits: number, wordSize: number): Uint8Array {
  const totalWords = Math.floor(totalBits / wordSize);
  const all = new Uint16Array(totalWords);
  all.set(words);
  FIELDS[wordSize].remainder(all, 0, words.length, totalWords - words.length, all, words.length);
  const out = new Uint8Array(totalBits);
  let at = totalBits % wordSize;
  for (const word of all) {
    for (let j = wordSize - 1; j >= 0; j -= 1) out[at++] = (word >>> j) & 1;
  }
  return out;
}

/**
 * The symbol (§7.1, §7.2): the data layers spiralling outwards-in from the outermost, two modules
 * deep, around the mode message, the bullseye with its orientation marks, and the reference grid
 * every 16 modules from the centre.
 */
function drawSymbol(layers: number, words: readonly number[]): Uint8Array {
  const wordSize = WORD_SIZE[layers];
  const message = withCheckWords(words, totalBitsInLayers(layers), wordSize);
  // §7.2.4 mode message: layers - 1 in 5 bits, data words - 1 in 11 bits, 6 check words of 4 bits.
  const modeValue = ((layers - 1) << 11) | (words.length - 1);
  const modeMessage = withCheckWords([(modeValue >> 12) & 0xf, (modeValue >> 8) & 0xf, (modeValue >> 4) & 0xf, modeValue & 0xf], 40, 4);

  const base = 14 + 4 * layers;
  const size = symbolSize(layers);
  const modules = new Uint8Array(size * size);
  const set = (x: number, y: number): void => {
    modules[y * size + x] = 1;
  };
  // Coordinates without the reference grid, mapped past its lines.
  const map = new Int32Array(base);
  const originalCentre = base / 2;
  const centre = Math.floor(size / 2);
  for (let i = 0; i < originalCentre; i += 1) {
    const offset = i + Math.floor(i / 15);
    map[originalCentre - i - 1] = centre - offset - 1;
    map[originalCentre + i] = centre + offset + 1;
  }
  for (let layer = 0, rowOffset = 0; layer < layers; layer += 1) {
    const rowSize = (layers - layer) * 4 + 12;
    for (let j = 0; j < rowSize; j += 1) {
      const columnOffset = j * 2;
      for (let k = 0; k < 2; k += 1) {
        if (message[rowOffset + columnOffset + k]) set(map[layer * 2 + k], map[layer * 2 + j]);
        if (message[rowOffset + rowSize * 2 + columnOffset + k]) set(map[layer * 2 + j], map[base - 1 - layer * 2 - k]);
        if (message[rowOffset + rowSize * 4 + columnOffset + k]) set(map[base - 1 - layer * 2 - k], map[base - 1 - layer * 2 - j]);
        if (message[rowOffset + rowSize * 6 + columnOffset + k]) set(map[base - 1 - layer * 2 - j], map[layer * 2 + k]);
      }
    }
    rowOffset += rowSize * 8;
  }
  // Mode message: the ring 7 modules from the centre, 10 bits a side, skipping the grid line.
  for (let i = 0; i < 10; i += 1) {
    const offset = centre - 5 + i + Math.floor(i / 5);
    if (modeMessage[i]) set(offset, centre - 7);
    if (modeMessage[i + 10]) set(centre + 7, offset);
    if (modeMessage[29 - i]) set(offset, centre + 7);
    if (modeMessage[39 - i]) set(centre - 7, offset);
  }
  // Bullseye: dark squares 0, 2, 4 and 6 modules from the centre; orientation marks at its corners.
  for (let ring = 0; ring < 7; ring += 2) {
    for (let j = centre - ring; j <= centre + ring; j += 1) {
      set(j, centre - ring);
      set(j, centre + ring);
      set(centre - ring, j);
      set(centre + ring, j);
    }
  }
  set(centre - 7, centre - 7);
  set(centre - 6, centre - 7);
  set(centre - 7, centre - 6);
  set(centre + 7, centre - 7);
  set(centre + 7, centre - 6);
  set(centre + 7, centre + 6);
  // Reference grid: every 16th row and column from the centre out to the edge (layers 12 and 27
  // reach a line in their outermost module), alternating, in step with the centre.
  for (let j = 0; j <= centre; j += 16) {
    for (let k = centre & 1; k < size; k += 2) {
      set(centre - j, k);
      set(centre + j, k);
      set(k, centre - j);
      set(k, centre + j);
    }
  }
  return modules;
}
