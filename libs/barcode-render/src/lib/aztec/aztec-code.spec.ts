import bwipjs from 'bwip-js';
import { UnencodableBarcodeError } from '../barcode-renderer';
import { encodeAztec } from './aztec-code';

// bwip-js, the independent implementation compared against, takes seconds on a busy machine.
jest.setTimeout(30_000);

/** bwip-js's (BWIPP's) Aztec Code, an independent implementation. */
function bwipAztec(value: string): { size: number; modules: number[] } {
  const [symbol] = bwipjs.raw({ bcid: 'azteccode', text: value }) as { pixs: number[]; pixx: number }[];
  return { size: symbol.pixx, modules: symbol.pixs };
}

const picture = (modules: ArrayLike<number>, size: number): string[] =>
  Array.from({ length: size }, (_, y) => Array.from({ length: size }, (_, x) => (modules[y * size + x] ? '#' : '.')).join(''));

describe('encodeAztec', () => {
  // Word sizes 6 (1-2 layers), 8 (3-8), 10 (9-22) and 12 (23-32); every character set, shifts,
  // control characters through Mixed, the reference grid from 16 modules out.
  it.each([
    ['A', 1],
    ['Ticket_12345', 1],
    ['TICKET 12345', 1],
    ['Code 2D!', 1],
    ['https://example.com/', 2],
    ['a\r\nb\tc@d|e~', 2],
    ['Hello, World. Bye: now', 2],
    ['0123456789'.repeat(40), 9],
    ['THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG'.repeat(10), 11],
    ['x'.repeat(1000), 18],
    ['0'.repeat(600), 12],
    ['9'.repeat(2200), 24],
  ].map(([value, layers]) => [`${JSON.stringify(String(value).slice(0, 24))} (${String(value).length} characters)`, layers, value] as const))(
    'draws %s in %i layers module for module as bwip-js does',
    (_label, layers, value) => {
      const ours = encodeAztec(value as string);
      const theirs = bwipAztec(value as string);
      expect({ layers: ours.layers, size: ours.size }).toEqual({ layers, size: theirs.size });
      expect(picture(ours.modules, ours.size)).toEqual(picture(theirs.modules, theirs.size));
    },
    // bwip-js takes seconds for the largest symbols on a busy machine.
    60_000,
  );

  it('writes non-ASCII text as UTF-8 after ECI 000026, in a symbol no more than a layer larger than bwip-js\'s', () => {
    const value = 'Billet n°42 – Zürich ✓ 🎟';
    const ours = encodeAztec(value);
    expect(ours.eci).toBe(true);
    expect(ours.size).toBeLessThanOrEqual(bwipAztec(value).size + 4);
    expect(encodeAztec('plain ASCII').eci).toBe(false);
  });

  it('has the full-range bullseye, orientation marks and reference grid (ISO/IEC 24778 §7.1)', () => {
    const { size, modules } = encodeAztec('x'.repeat(300));
    const rows = picture(modules, size);
    const c = Math.floor(size / 2);
    // Rings 0, 2, 4, 6 dark, 1, 3, 5 light, along the centre row.
    expect(rows[c].slice(c - 6, c + 7)).toBe('#.#.#.#.#.#.#');
    // Orientation marks: three modules top left, two top right, one bottom right.
    expect([rows[c - 7][c - 7], rows[c - 7][c - 6], rows[c - 6][c - 7]]).toEqual(['#', '#', '#']);
    expect([rows[c - 7][c + 7], rows[c - 6][c + 7], rows[c + 6][c + 7]]).toEqual(['#', '#', '#']);
    expect(rows[c + 7][c + 7]).toBe('.');
    // Reference grid lines 16 modules from the centre alternate in step with it.
    expect(rows[c - 16].slice(0, 8)).toBe(c % 2 === 0 ? '#.#.#.#.' : '.#.#.#.#');
  });

  it('refuses an empty value, an unpaired surrogate, and what exceeds 32 layers', () => {
    expect(() => encodeAztec('')).toThrow(UnencodableBarcodeError);
    expect(() => encodeAztec('a\ud800')).toThrow(/unpaired UTF-16 surrogate/);
    expect(() => encodeAztec('é'.repeat(1200))).toThrow(/exceed the capacity of a 32-layer symbol/);
    expect(encodeAztec('9'.repeat(3800)).layers).toBe(32);
  });
});
