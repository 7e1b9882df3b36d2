import bwipjs from 'bwip-js';
import { UnencodableBarcodeError } from '../barcode-renderer';
import { encodeDataMatrix } from './data-matrix';

// bwip-js, the independent implementation compared against, takes seconds on a busy machine.
jest.setTimeout(30_000);

/** bwip-js's (BWIPP's) Data Matrix, an independent implementation. */
function bwipDataMatrix(value: string): { size: number; modules: number[] } {
  const [symbol] = bwipjs.raw({ bcid: 'datamatrix', text: value }) as { pixs: number[]; pixx: number }[];
  return { size: symbol.pixx, modules: symbol.pixs };
}

const picture = (modules: ArrayLike<number>, size: number): string[] =>
  Array.from({ length: size }, (_, y) => Array.from({ length: size }, (_, x) => (modules[y * size + x] ? '#' : '.')).join(''));

/** ISO/IEC 16022 Table 7: data codewords of the square symbols 10x10 to 144x144. */
const CAPACITIES = [3, 5, 8, 12, 18, 22, 30, 36, 44, 62, 86, 114, 144, 174, 204, 280, 368, 456, 576, 696, 816, 1050, 1304, 1558];
const SIZES = [10, 12, 14, 16, 18, 20, 22, 24, 26, 32, 36, 40, 44, 48, 52, 64, 72, 80, 88, 96, 104, 120, 132, 144];

describe('encodeDataMatrix', () => {
  it('fills every square size to capacity with digit pairs, module for module as bwip-js does', () => {
    // One to 36 data regions, one to ten interleaved blocks, every corner case of the placement.
    CAPACITIES.forEach((capacity, i) => {
      const value = Array.from({ length: capacity * 2 }, (_, k) => String((k * 7 + i) % 10)).join('');
      const ours = encodeDataMatrix(value);
      const theirs = bwipDataMatrix(value);
      expect({ capacity, size: ours.size, encodation: ours.encodation }).toEqual({ capacity, size: SIZES[i], encodation: 'ascii' });
      expect(picture(ours.modules, ours.size)).toEqual(picture(theirs.modules, theirs.size));
      if (i === CAPACITIES.length - 1) expect(() => encodeDataMatrix(`${value}00`)).toThrow(UnencodableBarcodeError);
      else expect(encodeDataMatrix(`${value}00`).size).toBe(SIZES[i + 1]);
    });
    // bwip-js takes seconds for the largest symbols on a busy machine.
  }, 60_000);

  it.each(['Ticket_12345', 'hello', 'a\u0000b\u001dc', 'a!b"c#', 'http://a.b/c?d=1', 'TICKET-12345'])(
    'pads %j with the 253-state pad codewords as bwip-js does',
    (value) => {
      const ours = encodeDataMatrix(value);
      const theirs = bwipDataMatrix(value);
      expect(ours.encodation).toBe('ascii');
      expect(picture(ours.modules, ours.size)).toEqual(picture(theirs.modules, theirs.size));
    },
  );

  it('chooses C40 for uppercase, Text for lowercase, Base 256 for UTF-8, whichever is shortest', () => {
    expect(encodeDataMatrix('HELLO WORLD ABC')).toMatchObject({ encodation: 'c40', size: 16 });
    expect(encodeDataMatrix('hello world abc')).toMatchObject({ encodation: 'text', size: 16 });
    expect(encodeDataMatrix('x'.repeat(200))).toMatchObject({ encodation: 'text', size: bwipDataMatrix('x'.repeat(200)).size });
    expect(encodeDataMatrix('é'.repeat(100))).toMatchObject({ encodation: 'base256', eci: true });
    expect(encodeDataMatrix('Ticket_12345')).toMatchObject({ encodation: 'ascii', eci: false, size: 16 });
  });

  it('writes non-ASCII text after ECI 000026, in a symbol no more than one size larger than bwip-js\'s', () => {
    const value = 'Billet n°42 – Zürich ✓ 🎟';
    const ours = encodeDataMatrix(value);
    expect(ours.eci).toBe(true);
    expect(SIZES.indexOf(ours.size)).toBeLessThanOrEqual(SIZES.indexOf(bwipDataMatrix(value).size) + 1);
  });

  it('frames each data region with its finder pattern (solid left and bottom, alternating top and right)', () => {
    const { size, modules } = encodeDataMatrix('x'.repeat(100)); // 32x32 or larger: 2x2 regions
    const rows = picture(modules, size);
    expect(size).toBeGreaterThanOrEqual(32);
    const region = size === 32 ? 16 : size / 2;
    for (const top of [0, region]) {
      for (const left of [0, region]) {
        expect(rows.slice(top, top + region).map((row) => row[left]).join('')).toBe('#'.repeat(region));
        expect(rows[top + region - 1].slice(left, left + region)).toBe('#'.repeat(region));
        expect(rows[top].slice(left, left + region)).toBe('#.'.repeat(region / 2));
        expect(rows.slice(top, top + region).map((row) => row[left + region - 1]).join('')).toBe('.#'.repeat(region / 2));
      }
    }
  });

  it('refuses an empty value and an unpaired surrogate', () => {
    expect(() => encodeDataMatrix('')).toThrow(UnencodableBarcodeError);
    expect(() => encodeDataMatrix('a\udc00')).toThrow(/unpaired UTF-16 surrogate/);
  });
});
