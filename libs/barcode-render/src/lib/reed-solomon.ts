/**
 * Reed-Solomon error correction over GF(2^m), for the symbologies we encode ourselves: QR Code
 * (GF(256), polynomial 0x11D, generator roots from 2^0; ISO/IEC 18004 §7.5.2), Data Matrix
 * (GF(256), 0x12D, roots from 2^1; ISO/IEC 16022 §5.7) and Aztec Code (GF(16), GF(64), GF(256),
 * GF(1024), GF(4096), roots from 2^1; ISO/IEC 24778 §7.2.3).
 */
export class GaloisField {
  /** Number of elements, 2^bits. */
  readonly size: number;
  /** exp[i] = 2^i, written out to 2 * size entries so that exp[log a + log b] needs no modulo. */
  private readonly exp: Uint16Array;
  /** log[2^i] = i for every non-zero element; log[0] is unused. */
  private readonly log: Uint16Array;
  private readonly generators = new Map<number, Uint16Array>();

  /**
   * @param bits m, the codeword size in bits
   * @param primitive the field's primitive polynomial, x^m included (0x11D for x^8+x^4+x^3+x^2+1)
   * @param generatorBase the exponent of the generator polynomial's first root
   */
  constructor(
    readonly bits: number,
    primitive: number,
    private readonly generatorBase: number,
  ) {
    this.size = 1 << bits;
    this.exp = new Uint16Array(2 * this.size);
    this.log = new Uint16Array(this.size);
    let x = 1;
    for (let i = 0; i < this.size - 1; i += 1) {
      this.exp[i] = x;
      this.log[x] = i;
      x <<= 1;
      if (x & this.size) x ^= primitive;
    }
    for (let i = this.size - 1; i < 2 * this.size; i += 1) this.exp[i] = this.exp[i - (this.size - 1)];
  }

  multiply(a: number, b: number): number {
    return a === 0 || b === 0 ? 0 : this.exp[this.log[a] + this.log[b]];
  }

  /** 2^power. */
  power(power: number): number {
    return this.exp[power % (this.size - 1)];
  }

  /**
   * The generator polynomial (x - 2^b)(x - 2^(b+1))...(x - 2^(b+degree-1)) as the logarithms of
   * its coefficients, highest degree first and the leading 1 left out (QR Code's Annex A lists
   * them as exponents). None of the coefficients the symbologies use is 0.
   */
  generatorPolynomial(degree: number): Uint16Array {
    let logs = this.generators.get(degree);
    if (logs === undefined) {
      const coefficients = new Uint16Array(degree + 1);
      coefficients[0] = 1;
      for (let i = 0; i < degree; i += 1) {
        // Multiply by (x + root); subtraction is addition in GF(2^m).
        const root = this.power(this.generatorBase + i);
        for (let j = i + 1; j >= 1; j -= 1) coefficients[j] ^= this.multiply(coefficients[j - 1], root);
      }
      logs = new Uint16Array(degree);
      for (let j = 0; j < degree; j += 1) {
        if (coefficients[j + 1] === 0) throw new RangeError(`generator polynomial of degree ${degree} has a zero coefficient`);
        logs[j] = this.log[coefficients[j + 1]];
      }
      this.generators.set(degree, logs);
    }
    return logs;
  }

  /**
   * Writes the `eccLength` error-correction codewords of data[offset + k * stride] for k <
   * length into out[outOffset + j * outStride] for j < eccLength: the remainder of
   * data(x) * x^eccLength divided by the generator polynomial. The strides read and write blocks
   * that are interleaved in place (Data Matrix).
   */
  remainder(
    data: ArrayLike<number>,
    offset: number,
    length: number,
    eccLength: number,
    out: Uint8Array | Uint16Array,
    outOffset: number,
    stride = 1,
    outStride = 1,
  ): void {
    const generator = this.generatorPolynomial(eccLength);
    const remainder = scratch(eccLength);
    remainder.fill(0, 0, eccLength);
    const { exp, log } = this;
    for (let i = 0; i < length; i += 1) {
      const factor = data[offset + i * stride] ^ remainder[0];
      remainder.copyWithin(0, 1, eccLength);
      remainder[eccLength - 1] = 0;
      if (factor !== 0) {
        const logFactor = log[factor];
        for (let j = 0; j < eccLength; j += 1) remainder[j] ^= exp[logFactor + generator[j]];
      }
    }
    for (let j = 0; j < eccLength; j += 1) out[outOffset + j * outStride] = remainder[j];
  }
}

let scratchBuffer = new Uint16Array(64);
/** One remainder buffer for every field (encoding is synchronous), grown as needed. */
function scratch(length: number): Uint16Array {
  if (scratchBuffer.length < length) scratchBuffer = new Uint16Array(length);
  return scratchBuffer;
}

/** QR Code: x^8 + x^4 + x^3 + x^2 + 1, roots 2^0, 2^1, ... */
export const QR_FIELD = new GaloisField(8, 0x11d, 0);
