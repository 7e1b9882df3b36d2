/**
 * The data codewords of a QR Code symbol (ISO/IEC 18004:2015 §7.4): one segment in the most
 * compact single mode for the whole value (numeric, alphanumeric or byte), preceded for
 * non-ASCII text by an ECI designator 000026 so that readers decode the bytes as UTF-8 (§7.4.2.2)
 * instead of guessing; then the terminator, bit padding and pad codewords.
 */
import { UnencodableBarcodeError } from '../barcode-renderer';
import { MAX_VERSION, type QrErrorCorrection, blockLayout } from './qr-tables';

export type QrMode = 'numeric' | 'alphanumeric' | 'byte';

/** §7.4.2 Table 2: 4-bit mode indicators. */
const MODE_INDICATOR: Readonly<Record<QrMode, number>> = { numeric: 0b0001, alphanumeric: 0b0010, byte: 0b0100 };
const ECI_INDICATOR = 0b0111;
/** ECI 000026: UTF-8. A designator below 128 is one byte, 0bbbbbbb (§7.4.2.2). */
const ECI_UTF8 = 26;

/** §7.4.1 Table 3: character count indicator bits, for versions 1-9, 10-26 and 27-40. */
const COUNT_BITS: Readonly<Record<QrMode, readonly [number, number, number]>> = {
  numeric: [10, 12, 14],
  alphanumeric: [9, 11, 13],
  byte: [8, 16, 16],
};

/** §7.4.5 Table 5: the 45 characters of alphanumeric mode, in value order. */
const ALPHANUMERIC_CHARSET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
const ALPHANUMERIC_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHANUMERIC_CHARSET.length; i += 1) ALPHANUMERIC_VALUE[ALPHANUMERIC_CHARSET.charCodeAt(i)] = i;

const NUMERIC = /^[0-9]*$/;
const ALPHANUMERIC = /^[0-9A-Z $%*+\-./:]*$/;
/** A UTF-16 surrogate that is not half of a pair (the u flag matches pairs as one code point). */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

export function countBits(mode: QrMode, version: number): number {
  return COUNT_BITS[mode][version <= 9 ? 0 : version <= 26 ? 1 : 2];
}

export interface QrData {
  readonly version: number;
  readonly level: QrErrorCorrection;
  readonly mode: QrMode;
  /** Whether the segment is preceded by ECI 000026 (UTF-8). */
  readonly eci: boolean;
  /** The data codewords, padded to the version's capacity at the level. */
  readonly codewords: Uint8Array;
}

/** Error-correction levels from the least to the most redundant. */
const LEVELS: readonly QrErrorCorrection[] = ['L', 'M', 'Q', 'H'];

export interface DataOptions {
  /** The smallest version to use. */
  readonly minVersion?: number;
  /**
   * Raise the level to the highest one whose capacity in the chosen version still holds the
   * value: more error correction at no cost in size (bwip-js/BWIPP does the same).
   */
  readonly boostLevel?: boolean;
}

/**
 * Chooses the mode and the smallest version (at least minVersion) holding the value at the
 * level, which is then a minimum when boostLevel is set.
 */
export function encodeData(value: string, minLevel: QrErrorCorrection, options: DataOptions = {}): QrData {
  if (value.length === 0) throw new UnencodableBarcodeError('QRCODE', 'the value is empty');
  let mode: QrMode;
  let bytes: Uint8Array | undefined;
  let count: number;
  let payloadBits: number;
  let eci = false;
  if (NUMERIC.test(value)) {
    mode = 'numeric';
    count = value.length;
    payloadBits = 10 * Math.floor(count / 3) + [0, 4, 7][count % 3];
  } else if (ALPHANUMERIC.test(value)) {
    mode = 'alphanumeric';
    count = value.length;
    payloadBits = 11 * Math.floor(count / 2) + 6 * (count % 2);
  } else {
    if (LONE_SURROGATE.test(value)) {
      throw new UnencodableBarcodeError('QRCODE', 'the value has an unpaired UTF-16 surrogate, which has no UTF-8 encoding');
    }
    mode = 'byte';
    bytes = Buffer.from(value, 'utf8');
    count = bytes.length;
    payloadBits = 8 * count;
    eci = bytes.length !== value.length;
  }
  const headerBits = (eci ? 12 : 0) + 4;
  for (let version = options.minVersion ?? 1; version <= MAX_VERSION; version += 1) {
    const bitsForCount = countBits(mode, version);
    const bits = headerBits + bitsForCount + payloadBits;
    if (count < 2 ** bitsForCount && bits <= blockLayout(version, minLevel).dataCodewords * 8) {
      let level = minLevel;
      if (options.boostLevel) {
        for (const higher of LEVELS.slice(LEVELS.indexOf(minLevel) + 1)) {
          if (bits <= blockLayout(version, higher).dataCodewords * 8) level = higher;
        }
      }
      const { dataCodewords } = blockLayout(version, level);
      const writer = new BitWriter(dataCodewords);
      if (eci) {
        writer.write(ECI_INDICATOR, 4);
        writer.write(ECI_UTF8, 8);
      }
      writer.write(MODE_INDICATOR[mode], 4);
      writer.write(count, bitsForCount);
      if (mode === 'numeric') writeNumeric(writer, value);
      else if (mode === 'alphanumeric') writeAlphanumeric(writer, value);
      else for (const byte of bytes as Uint8Array) writer.write(byte, 8);
      writer.finish();
      return { version, level, mode, eci, codewords: writer.bytes };
    }
  }
  throw new UnencodableBarcodeError(
    'QRCODE',
    `${count} ${mode === 'byte' ? 'bytes' : 'characters'} in ${mode} mode exceed the capacity of version ${MAX_VERSION} at error-correction level ${minLevel}`,
  );
}

/** §7.4.4: groups of three digits in 10 bits; a final two in 7, a final one in 4. */
function writeNumeric(writer: BitWriter, digits: string): void {
  let i = 0;
  for (; i + 3 <= digits.length; i += 3) writer.write(+digits.slice(i, i + 3), 10);
  const rest = digits.length - i;
  if (rest > 0) writer.write(+digits.slice(i), rest === 1 ? 4 : 7);
}

/** §7.4.5: pairs as 45 * first + second in 11 bits; a final character in 6. */
function writeAlphanumeric(writer: BitWriter, text: string): void {
  let i = 0;
  for (; i + 2 <= text.length; i += 2) {
    writer.write(ALPHANUMERIC_VALUE[text.charCodeAt(i)] * 45 + ALPHANUMERIC_VALUE[text.charCodeAt(i + 1)], 11);
  }
  if (i < text.length) writer.write(ALPHANUMERIC_VALUE[text.charCodeAt(i)], 6);
}

/** Big-endian bit writer into a fixed number of codewords. */
class BitWriter {
  readonly bytes: Uint8Array;
  private bit = 0;

  constructor(codewords: number) {
    this.bytes = new Uint8Array(codewords);
  }

  write(value: number, length: number): void {
    for (let i = length - 1; i >= 0; i -= 1) {
      if ((value >>> i) & 1) this.bytes[this.bit >>> 3] |= 0x80 >>> (this.bit & 7);
      this.bit += 1;
    }
  }

  /**
   * §7.4.9 and §7.4.10: the terminator (up to four 0 bits, fewer when the capacity ends first),
   * zero bits to the codeword boundary (the array is zeroed), then 11101100 and 00010001 in
   * turn up to the capacity.
   */
  finish(): void {
    const capacity = this.bytes.length * 8;
    this.bit = Math.min(this.bit + 4, capacity);
    let index = Math.ceil(this.bit / 8);
    for (let pad = 0xec; index < this.bytes.length; index += 1, pad ^= 0xec ^ 0x11) this.bytes[index] = pad;
  }
}
