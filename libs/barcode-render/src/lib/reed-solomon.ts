/**
 * Reed-Solomon error correction over GF(2^8) with the QR Code field polynomial
 * x^8 + x^4 + x^3 + x^2 + 1 (0x11D) and generator element 2 (ISO/IEC 18004:2015 §7.5.2).
 */

const FIELD_POLYNOMIAL = 0x11d;

/** EXP[i] = 2^i, written out to 512 entries so that EXP[LOG[a] + LOG[b]] needs no modulo. */
const EXP = new Uint8Array(512);
/** LOG[2^i] = i for every non-zero element; LOG[0] is unused. */
const LOG = new Uint8Array(256);
{
  let x = 1;
  for (let i = 0; i < 255; i += 1) {
    EXP[i] = x;
    LOG[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= FIELD_POLYNOMIAL;
  }
  for (let i = 255; i < 512; i += 1) EXP[i] = EXP[i - 255];
}

export function gfMultiply(a: number, b: number): number {
  return a === 0 || b === 0 ? 0 : EXP[LOG[a] + LOG[b]];
}

/**
 * The generator polynomial (x - 2^0)(x - 2^1)...(x - 2^(degree-1)) as the logarithms of its
 * coefficients, highest degree first and the leading 1 left out (Annex A lists them as exponents).
 */
const generatorLogs = new Map<number, Uint8Array>();

export function generatorPolynomial(degree: number): Uint8Array {
  let logs = generatorLogs.get(degree);
  if (logs === undefined) {
    // Coefficients, highest degree first, the leading 1 included.
    const coefficients = new Uint8Array(degree + 1);
    coefficients[0] = 1;
    for (let i = 0; i < degree; i += 1) {
      // Multiply by (x + 2^i); subtraction is addition in GF(2^8).
      const root = EXP[i];
      for (let j = i + 1; j >= 1; j -= 1) {
        coefficients[j] ^= gfMultiply(coefficients[j - 1], root);
      }
    }
    logs = new Uint8Array(degree);
    for (let j = 0; j < degree; j += 1) logs[j] = LOG[coefficients[j + 1]];
    generatorLogs.set(degree, logs);
  }
  return logs;
}

/**
 * Writes the `eccLength` error-correction codewords of data[offset, offset + length) into
 * out[outOffset, outOffset + eccLength): the remainder of data(x) * x^eccLength divided by the
 * generator polynomial.
 */
export function reedSolomonRemainder(
  data: Uint8Array,
  offset: number,
  length: number,
  eccLength: number,
  out: Uint8Array,
  outOffset: number,
): void {
  const generator = generatorPolynomial(eccLength);
  const end = outOffset + eccLength;
  out.fill(0, outOffset, end);
  for (let i = 0; i < length; i += 1) {
    const factor = data[offset + i] ^ out[outOffset];
    out.copyWithin(outOffset, outOffset + 1, end);
    out[end - 1] = 0;
    if (factor !== 0) {
      const logFactor = LOG[factor];
      for (let j = 0; j < eccLength; j += 1) {
        out[outOffset + j] ^= EXP[logFactor + generator[j]];
      }
    }
  }
}
