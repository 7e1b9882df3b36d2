import { GaloisField, QR_FIELD } from './reed-solomon';

const gfMultiply = (a: number, b: number): number => QR_FIELD.multiply(a, b);
const generatorPolynomial = (degree: number): Uint16Array => QR_FIELD.generatorPolynomial(degree);

const ecc = (data: number[], length: number): number[] => {
  const out = new Uint8Array(length);
  QR_FIELD.remainder(Uint8Array.from(data), 0, data.length, length, out, 0);
  return [...out];
};
const bits = (text: string): number[] => text.split(' ').map((byte) => parseInt(byte, 2));

describe('GF(256) with x^8 + x^4 + x^3 + x^2 + 1', () => {
  it('multiplies with reduction by the field polynomial', () => {
    expect(gfMultiply(2, 0x80)).toBe(0x1d); // x * x^7 = x^8 = x^4 + x^3 + x^2 + 1
    expect(gfMultiply(0x53, 0xca)).toBe(gfMultiply(0xca, 0x53));
    expect(gfMultiply(0, 0x53)).toBe(0);
    expect(gfMultiply(1, 0x53)).toBe(0x53);
  });
});

describe('generator polynomials (ISO/IEC 18004 Annex A, as exponents of 2)', () => {
  it('matches Annex A for 7 and 10 error-correction codewords', () => {
    expect([...generatorPolynomial(7)]).toEqual([87, 229, 146, 149, 238, 102, 21]);
    expect([...generatorPolynomial(10)]).toEqual([251, 67, 46, 61, 118, 70, 64, 94, 32, 45]);
  });

  it('has no zero coefficient for any block length QR Code uses (logarithms are stored)', () => {
    // Evaluate the product of (x - 2^i) directly and compare with the stored logarithms.
    for (let degree = 7; degree <= 30; degree += 1) {
      let coefficients = [1];
      let root = 1;
      for (let i = 0; i < degree; i += 1) {
        const next = [...coefficients, 0];
        for (let j = 1; j < next.length; j += 1) next[j] ^= gfMultiply(coefficients[j - 1], root);
        coefficients = next;
        root = gfMultiply(root, 2);
      }
      expect(coefficients.slice(1).every((c) => c !== 0)).toBe(true);
      const fromLogs = [...generatorPolynomial(degree)].map((log) => {
        let value = 1;
        for (let k = 0; k < log; k += 1) value = gfMultiply(value, 2);
        return value;
      });
      expect(fromLogs).toEqual(coefficients.slice(1));
    }
  });
});

describe('reedSolomonRemainder', () => {
  it('gives the error-correction codewords of ISO/IEC 18004 Annex I ("01234567", 1-M)', () => {
    const data = bits(
      '00010000 00100000 00001100 01010110 01100001 10000000 11101100 00010001 11101100 00010001 11101100 00010001 11101100 00010001 11101100 00010001',
    );
    expect(ecc(data, 10)).toEqual(bits('10100101 00100100 11010100 11000001 11101101 00110110 11000111 10000111 00101100 01010101'));
  });

  it('gives the error-correction codewords of "HELLO WORLD" at 1-M', () => {
    const data = [0x20, 0x5b, 0x0b, 0x78, 0xd1, 0x72, 0xdc, 0x4d, 0x43, 0x40, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11];
    expect(ecc(data, 10)).toEqual([0xc4, 0x23, 0x27, 0x77, 0xeb, 0xd7, 0xe7, 0xe2, 0x5d, 0x17]);
  });

  it('makes a codeword whose polynomial every root of the generator zeroes', () => {
    const data = Array.from({ length: 40 }, (_, i) => (i * 37 + 11) & 0xff);
    const codeword = [...data, ...ecc(data, 22)];
    let root = 1;
    for (let i = 0; i < 22; i += 1) {
      let value = 0;
      for (const c of codeword) value = gfMultiply(value, root) ^ c;
      expect({ root: i, value }).toEqual({ root: i, value: 0 });
      root = gfMultiply(root, 2);
    }
  });

  it('writes into the output at an offset, leaving the rest alone', () => {
    const out = new Uint8Array(14).fill(0xaa);
    const data = Uint8Array.from([0, 0, 0x20, 0x5b, 0x0b, 0x78, 0xd1, 0x72, 0xdc, 0x4d, 0x43, 0x40, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11]);
    QR_FIELD.remainder(data, 2, 16, 10, out, 2);
    expect([...out]).toEqual([0xaa, 0xaa, 0xc4, 0x23, 0x27, 0x77, 0xeb, 0xd7, 0xe7, 0xe2, 0x5d, 0x17, 0xaa, 0xaa]);
  });
});

describe('GaloisField for Data Matrix and Aztec Code (roots from 2^1)', () => {
  it('has the Data Matrix generator for 5 check codewords (ISO/IEC 16022 Annex E: 228, 48, 15, 111, 62)', () => {
    const field = new GaloisField(8, 0x12d, 1);
    const coefficients = [...field.generatorPolynomial(5)].map((log) => field.power(log));
    expect(coefficients.reverse()).toEqual([228, 48, 15, 111, 62]);
  });

  it.each([
    [4, 0x13, 6],
    [6, 0x43, 20],
    [8, 0x12d, 30],
    [10, 0x409, 40],
    [12, 0x1069, 50],
  ])('GF(2^%i) check words make a codeword every root of the generator zeroes', (bits, primitive, eccLength) => {
    const field = new GaloisField(bits, primitive, 1);
    const data = Array.from({ length: 25 }, (_, i) => (i * 97 + 13) % field.size);
    const out = new Uint16Array(eccLength);
    field.remainder(data, 0, data.length, eccLength, out, 0);
    const codeword = [...data, ...out];
    for (let i = 1; i <= eccLength; i += 1) {
      const root = field.power(i);
      let value = 0;
      for (const c of codeword) value = field.multiply(value, root) ^ c;
      expect({ root: i, value }).toEqual({ root: i, value: 0 });
    }
  });
});
