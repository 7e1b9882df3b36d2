/**
 * Data Matrix ECC 200 encoder after ISO/IEC 16022:2006, square symbols 10x10 to 144x144 (the
 * shapes bwip-js chooses by default). Encodation: one scheme for the whole value, the shortest
 * of ASCII (digit pairs in one codeword), C40 (uppercase and digits three to two codewords),
 * Text (the same for lowercase) and Base 256; non-ASCII text as UTF-8 bytes after ECI 000026
 * (§5.4.1), so that readers need not guess the character set. Reed-Solomon over GF(256)
 * (0x12D), blocks interleaved; the module placement of Annex F, built once per symbol size.
 */
import { UnencodableBarcodeError } from '../barcode-renderer';
import { GaloisField } from '../reed-solomon';

/** x^8 + x^5 + x^3 + x^2 + 1, generator roots 2^1, 2^2, ... (§5.7.1). */
const DATA_MATRIX_FIELD = new GaloisField(8, 0x12d, 1);

interface SymbolSize {
  /** Modules a side, finder patterns included. */
  readonly size: number;
  /** Modules a side of one data region. */
  readonly region: number;
  /** Data regions a side. */
  readonly regions: number;
  readonly dataCodewords: number;
  readonly eccCodewords: number;
  /** Reed-Solomon blocks (interleaved: codeword i belongs to block i mod blocks). */
  readonly blocks: number;
}

/** §5.5 Table 7, square symbols. */
const SIZES: readonly SymbolSize[] = [
  [10, 8, 1, 3, 5, 1],
  [12, 10, 1, 5, 7, 1],
  [14, 12, 1, 8, 10, 1],
  [16, 14, 1, 12, 12, 1],
  [18, 16, 1, 18, 14, 1],
  [20, 18, 1, 22, 18, 1],
  [22, 20, 1, 30, 20, 1],
  [24, 22, 1, 36, 24, 1],
  [26, 24, 1, 44, 28, 1],
  [32, 14, 2, 62, 36, 1],
  [36, 16, 2, 86, 42, 1],
  [40, 18, 2, 114, 48, 1],
  [44, 20, 2, 144, 56, 1],
  [48, 22, 2, 174, 68, 1],
  [52, 24, 2, 204, 84, 2],
  [64, 14, 4, 280, 112, 2],
  [72, 16, 4, 368, 144, 4],
  [80, 18, 4, 456, 192, 4],
  [88, 20, 4, 576, 224, 4],
  [96, 22, 4, 696, 272, 4],
  [104, 24, 4, 816, 336, 6],
  [120, 18, 6, 1050, 408, 6],
  [132, 20, 6, 1304, 496, 8],
  [144, 22, 6, 1558, 620, 10],
].map(([size, region, regions, dataCodewords, eccCodewords, blocks]) => ({ size, region, regions, dataCodewords, eccCodewords, blocks }));

const LATCH_C40 = 230;
const LATCH_BASE256 = 231;
const LATCH_TEXT = 239;
const UNLATCH = 254;
const UPPER_SHIFT = 235;
const ECI = 241;
const PAD = 129;
/** ECI 000026 (UTF-8) as one codeword: designators 0-126 are written plus 1 (§5.4.1.2). */
const ECI_UTF8 = 27;

export type Encodation = 'ascii' | 'c40' | 'text' | 'base256';

export interface DataMatrixSymbol {
  readonly size: number;
  readonly encodation: Encodation;
  readonly eci: boolean;
  /** size x size, row-major, 1 for a dark module. */
  readonly modules: Uint8Array;
}

/** Throws UnencodableBarcodeError when the value exceeds the 144x144 symbol's 1,558 codewords. */
export function encodeDataMatrix(value: string): DataMatrixSymbol {
  if (value.length === 0) throw new UnencodableBarcodeError('DATAMATRIX', 'the value is empty');
  if (/[\uD800-\uDFFF]/u.test(value)) {
    throw new UnencodableBarcodeError('DATAMATRIX', 'the value has an unpaired UTF-16 surrogate, which has no UTF-8 encoding');
  }
  const bytes = Buffer.from(value, 'utf8');
  const eci = bytes.length !== value.length;
  const { encodation, trailingUnlatch, ...encoded } = encodeCodewords(bytes, eci);
  let { codewords } = encoded;
  // A C40/Text segment that ends exactly where a symbol's data ends needs no unlatch (§5.2.5.2).
  const symbol = SIZES.find(
    (candidate) => candidate.dataCodewords >= codewords.length || (trailingUnlatch && candidate.dataCodewords === codewords.length - 1),
  );
  if (symbol === undefined) {
    throw new UnencodableBarcodeError('DATAMATRIX', `${codewords.length} codewords exceed the 1558 of the largest symbol (144x144)`);
  }
  if (symbol.dataCodewords < codewords.length) codewords = codewords.subarray(0, symbol.dataCodewords);
  const all = new Uint8Array(symbol.dataCodewords + symbol.eccCodewords);
  all.set(codewords);
  // §5.2.8 pad: 129, then 129 plus a 253-state pseudo-random number of the position.
  for (let i = codewords.length; i < symbol.dataCodewords; i += 1) {
    if (i === codewords.length) all[i] = PAD;
    else {
      const padded = PAD + ((149 * (i + 1)) % 253) + 1;
      all[i] = padded <= 254 ? padded : padded - 254;
    }
  }
  // §5.7.2 interleaving: block b holds codewords b, b + blocks, ...; its error correction goes
  // to the same positions after the data. In the 144x144 symbol, whose last two blocks have one
  // data codeword fewer, those two blocks' error correction comes first (as BWIPP writes it;
  // zxing-cpp reads either order).
  const { blocks, dataCodewords, eccCodewords } = symbol;
  for (let block = 0; block < blocks; block += 1) {
    const length = Math.ceil((dataCodewords - block) / blocks);
    const slot = dataCodewords % blocks === 0 ? block : (block + blocks - (dataCodewords % blocks)) % blocks;
    DATA_MATRIX_FIELD.remainder(all, block, length, eccCodewords / blocks, all, dataCodewords + slot, blocks, blocks);
  }
  return { size: symbol.size, encodation, eci, modules: drawSymbol(symbol, all) };
}

interface Encoded {
  readonly codewords: Uint8Array;
  readonly encodation: Encodation;
  /** Ends with an unlatch from C40/Text that the end of a symbol could stand in for. */
  readonly trailingUnlatch: boolean;
}

/** The shortest of the four schemes for the whole value, after an optional ECI (ASCII on ties). */
function encodeCodewords(bytes: Uint8Array, eci: boolean): Encoded {
  const prefix = eci ? [ECI, ECI_UTF8] : [];
  const candidates: Encoded[] = [
    { codewords: Uint8Array.from([...prefix, ...asciiCodewords(bytes)]), encodation: 'ascii', trailingUnlatch: false },
    c40Codewords(bytes, prefix, 'c40'),
    c40Codewords(bytes, prefix, 'text'),
    base256Codewords(bytes, prefix),
  ];
  return candidates.reduce((best, candidate) => (candidate.codewords.length < best.codewords.length ? candidate : best));
}

/** §5.2.3 ASCII: a digit pair in one codeword (130 + value), ASCII plus 1, others after Upper Shift. */
function asciiCodewords(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i += 1) {
    const byte = bytes[i];
    const next = bytes[i + 1];
    if (isDigit(byte) && next !== undefined && isDigit(next)) {
      out.push(130 + (byte - 48) * 10 + (next - 48));
      i += 1;
    } else if (byte < 128) out.push(byte + 1);
    else out.push(UPPER_SHIFT, byte - 127);
  }
  return out;
}

/**
 * §5.2.5 C40 and §5.2.6 Text: values 0-39, three to two codewords (1600 c1 + 40 c2 + c3 + 1).
 * The basic set (space, digits, and uppercase for C40 or lowercase for Text) is one value; other
 * characters take a shift value first (Annex C, Tables C.1 and C.2); bytes above 127 the Upper
 * Shift (shift 2, value 30) and then the byte less 128. Characters whose values do not fill a
 * last triplet are written in ASCII after an unlatch.
 */
function c40Codewords(bytes: Uint8Array, prefix: readonly number[], scheme: 'c40' | 'text'): Encoded {
  const values: number[] = [];
  let tripletValues = 0;
  let tripletChars = 0;
  for (let i = 0; i < bytes.length; i += 1) {
    let byte = bytes[i];
    if (byte >= 128) {
      values.push(1, 30);
      byte -= 128;
    }
    pushC40Values(values, byte, scheme);
    if (values.length % 3 === 0) {
      tripletValues = values.length;
      tripletChars = i + 1;
    }
  }
  const out = [...prefix, scheme === 'c40' ? LATCH_C40 : LATCH_TEXT];
  for (let k = 0; k < tripletValues; k += 3) {
    const packed = 1600 * values[k] + 40 * values[k + 1] + values[k + 2] + 1;
    out.push(packed >> 8, packed & 0xff);
  }
  out.push(UNLATCH, ...asciiCodewords(bytes.subarray(tripletChars)));
  return { codewords: Uint8Array.from(out), encodation: scheme, trailingUnlatch: tripletChars === bytes.length };
}

function pushC40Values(values: number[], byte: number, scheme: 'c40' | 'text'): void {
  const basicLetters = scheme === 'c40' ? 65 : 97;
  const shiftedLetters = scheme === 'c40' ? 97 : 65;
  if (byte === 32) values.push(3);
  else if (isDigit(byte)) values.push(byte - 48 + 4);
  else if (byte >= basicLetters && byte < basicLetters + 26) values.push(byte - basicLetters + 14);
  else if (byte < 32) values.push(0, byte);
  else if (byte <= 47) values.push(1, byte - 33);
  else if (byte <= 64) values.push(1, byte - 58 + 15);
  else if (byte <= 95 && !(byte >= 65 && byte <= 90)) values.push(1, byte - 91 + 22);
  else if (byte >= shiftedLetters && byte < shiftedLetters + 26) values.push(2, byte - shiftedLetters + 1);
  else if (byte === 96) values.push(2, 0);
  else values.push(2, byte - 123 + 27);
}

/**
 * §5.2.9 Base 256: latch, length (one codeword up to 249, else two), the bytes; the length and
 * the bytes each 255-state randomised by their position in the codeword stream.
 */
function base256Codewords(bytes: Uint8Array, prefix: readonly number[]): Encoded {
  const out = [...prefix, LATCH_BASE256];
  const length = bytes.length <= 249 ? [bytes.length] : [Math.floor(bytes.length / 250) + 249, bytes.length % 250];
  for (const byte of [...length, ...bytes]) {
    const randomised = byte + ((149 * (out.length + 1)) % 255) + 1;
    out.push(randomised <= 255 ? randomised : randomised - 256);
  }
  return { codewords: Uint8Array.from(out), encodation: 'base256', trailingUnlatch: false };
}

function isDigit(byte: number): boolean {
  return byte >= 48 && byte <= 57;
}

/**
 * Annex F placement for a mapping matrix (the data regions without their finder patterns) of
 * `side` x `side`: for each module, codeword * 8 + bit (bit 0 the most significant), or -1 for
 * the fixed pattern of the unused corner. Built once per symbol size.
 */
const placements = new Map<number, Int32Array>();

function placement(side: number): Int32Array {
  let map = placements.get(side);
  if (map !== undefined) return map;
  const cells = new Int32Array(side * side).fill(-2);
  const rows = side;
  const columns = side;
  const module = (row: number, column: number, codeword: number, bit: number): void => {
    let r = row;
    let c = column;
    if (r < 0) {
      r += rows;
      c += 4 - ((rows + 4) % 8);
    }
    if (c < 0) {
      c += columns;
      r += 4 - ((columns + 4) % 8);
    }
    cells[r * columns + c] = codeword * 8 + bit;
  };
  // The standard 8-module shape of one codeword, its last bit at (row, column).
  const utah = (row: number, column: number, codeword: number): void => {
    module(row - 2, column - 2, codeword, 0);
    module(row - 2, column - 1, codeword, 1);
    module(row - 1, column - 2, codeword, 2);
    module(row - 1, column - 1, codeword, 3);
    module(row - 1, column, codeword, 4);
    module(row, column - 2, codeword, 5);
    module(row, column - 1, codeword, 6);
    module(row, column, codeword, 7);
  };
  const corner = (codeword: number, positions: readonly [number, number][]): void =>
    positions.forEach(([row, column], bit) => module(row, column, codeword, bit));
  const r = rows;
  const c = columns;
  let codeword = 0;
  let row = 4;
  let column = 0;
  do {
    if (row === r && column === 0) {
      corner(codeword++, [[r - 1, 0], [r - 1, 1], [r - 1, 2], [0, c - 2], [0, c - 1], [1, c - 1], [2, c - 1], [3, c - 1]]);
    }
    if (row === r - 2 && column === 0 && c % 4 !== 0) {
      corner(codeword++, [[r - 3, 0], [r - 2, 0], [r - 1, 0], [0, c - 4], [0, c - 3], [0, c - 2], [0, c - 1], [1, c - 1]]);
    }
    if (row === r - 2 && column === 0 && c % 8 === 4) {
      corner(codeword++, [[r - 3, 0], [r - 2, 0], [r - 1, 0], [0, c - 2], [0, c - 1], [1, c - 1], [2, c - 1], [3, c - 1]]);
    }
    if (row === r + 4 && column === 2 && c % 8 === 0) {
      corner(codeword++, [[r - 1, 0], [r - 1, c - 1], [0, c - 3], [0, c - 2], [0, c - 1], [1, c - 3], [1, c - 2], [1, c - 1]]);
    }
    // Upwards and to the right, then downwards and to the left, along diagonals.
    do {
      if (row < r && column >= 0 && cells[row * c + column] === -2) utah(row, column, codeword++);
      row -= 2;
      column += 2;
    } while (row >= 0 && column < c);
    row += 1;
    column += 3;
    do {
      if (row >= 0 && column < c && cells[row * c + column] === -2) utah(row, column, codeword++);
      row += 2;
      column -= 2;
    } while (row < r && column >= 0);
    row += 3;
    column += 1;
  } while (row < r || column < c);
  // Where the last corner is left unfilled, it is fixed: dark, light / light, dark.
  if (cells[r * c - 1] === -2) {
    cells[r * c - 1] = -1;
    cells[(r - 1) * c - 2] = -1;
    cells[r * c - 2] = -3;
    cells[(r - 1) * c - 1] = -3;
  }
  map = cells;
  placements.set(side, map);
  return map;
}

/**
 * The symbol: each data region framed by its finder pattern (solid left and bottom edges,
 * alternating top and right edges, §5.3), the mapping matrix placed into the regions.
 */
function drawSymbol(symbol: SymbolSize, codewords: Uint8Array): Uint8Array {
  const { size, region, regions } = symbol;
  const side = region * regions;
  const cells = placement(side);
  const modules = new Uint8Array(size * size);
  const block = region + 2;
  for (let y = 0; y < size; y += 1) {
    const inRegionY = y % block;
    for (let x = 0; x < size; x += 1) {
      const inRegionX = x % block;
      let dark: number;
      if (inRegionX === 0 || inRegionY === block - 1) dark = 1;
      else if (inRegionY === 0) dark = inRegionX % 2 === 0 ? 1 : 0;
      else if (inRegionX === block - 1) dark = inRegionY % 2 === 1 ? 1 : 0;
      else {
        const mapRow = Math.floor(y / block) * region + inRegionY - 1;
        const mapColumn = Math.floor(x / block) * region + inRegionX - 1;
        const cell = cells[mapRow * side + mapColumn];
        dark = cell >= 0 ? (codewords[cell >> 3] >> (7 - (cell & 7))) & 1 : cell === -1 ? 1 : 0;
      }
      modules[y * size + x] = dark;
    }
  }
  return modules;
}
