import bwipjs from 'bwip-js';
import { encodeQr, interleaveWithErrorCorrection } from './qr-code';
import { encodeData } from './qr-data';
import { MASK_COUNT, drawFormatBits, formatInformation, penaltyScore } from './qr-matrix';
import type { QrErrorCorrection } from './qr-tables';

// bwip-js, the independent implementation compared against, takes seconds on a busy machine.
jest.setTimeout(30_000);

/** bwip-js's (BWIPP's) QR Code, an independent implementation, at a given mask (its masks count from 1). */
function bwipMatrix(value: string, level: QrErrorCorrection, mask: number): { size: number; modules: number[] } {
  const [symbol] = bwipjs.raw({ bcid: 'qrcode', text: value, eclevel: level, mask: mask + 1 } as Parameters<typeof bwipjs.raw>[0]) as {
    pixs: number[];
    pixx: number;
  }[];
  return { size: symbol.pixx, modules: symbol.pixs };
}

const picture = (modules: ArrayLike<number>, size: number): string[] =>
  Array.from({ length: size }, (_, y) => Array.from({ length: size }, (_, x) => (modules[y * size + x] ? '#' : '.')).join(''));

describe('encodeQr', () => {
  // One mode each (BWIPP may mix modes otherwise), versions 1 to 27, one to many blocks, the
  // version information from 7 up, every level and mask.
  const cases: [string, QrErrorCorrection][] = [
    ['01234567', 'M'],
    ['HELLO WORLD', 'Q'],
    ['ticket_abcde', 'H'],
    ['https://tickets.example.com/e/ab-cd', 'M'],
    ['31415926535897932384626433832795028841971693993751'.repeat(6), 'L'],
    ['THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG 0123456789 $%*+-./:'.repeat(3), 'Q'],
    ['lowercase text, punctuation; and {braces} '.repeat(6), 'H'],
    ['z'.repeat(400), 'L'],
  ];

  it.each(cases.map(([value, level]) => [value.length, value.slice(0, 16), level, value] as const))(
    'draws %i characters %j... at level %s module for module as bwip-js does at each mask',
    (_length, _start, level, value) => {
      for (let mask = 0; mask < MASK_COUNT; mask += 1) {
        const ours = encodeQr(value, level, { mask, boostLevel: true });
        const theirs = bwipMatrix(value, level, mask);
        expect({ mask, size: ours.size }).toEqual({ mask, size: theirs.size });
        expect(picture(ours.modules, ours.size)).toEqual(picture(theirs.modules, theirs.size));
      }
    },
  );

  it('chooses the mask with the lowest penalty', () => {
    for (const [value, level] of cases) {
      const chosen = encodeQr(value, level);
      const scores = Array.from({ length: MASK_COUNT }, (_, mask) => {
        const symbol = encodeQr(value, level, { mask });
        return penaltyScore(symbol.modules, symbol.size);
      });
      expect(scores[chosen.mask]).toBe(Math.min(...scores));
      expect(chosen.modules).toEqual(encodeQr(value, level, { mask: chosen.mask }).modules);
    }
  });

  it('writes the level and mask into both copies of the format information', () => {
    const symbol = encodeQr('Ticket_12345', 'Q', { mask: 5 });
    const copy = new Uint8Array(symbol.modules);
    drawFormatBits(copy, symbol.size, formatInformation('Q', 5));
    expect(copy).toEqual(symbol.modules);
    drawFormatBits(copy, symbol.size, formatInformation('H', 5));
    expect(copy).not.toEqual(symbol.modules);
  });

  it('has the finder patterns, timing patterns and dark module of §7.3', () => {
    const { size, modules } = encodeQr('Ticket_12345', 'M');
    const rows = picture(modules, size);
    for (const [x, y] of [
      [0, 0],
      [size - 7, 0],
      [0, size - 7],
    ]) {
      expect(rows.slice(y, y + 7).map((row) => row.slice(x, x + 7))).toEqual(['#######', '#.....#', '#.###.#', '#.###.#', '#.###.#', '#.....#', '#######']);
    }
    expect(rows[6].slice(8, size - 8)).toBe('#.'.repeat(size).slice(0, size - 16));
    expect(rows.map((row) => row[6]).join('').slice(8, size - 8)).toBe('#.'.repeat(size).slice(0, size - 16));
    expect(rows[size - 8][8]).toBe('#');
  });

  it('interleaves data codewords column by column across blocks, short blocks first (5-Q)', () => {
    // 5-Q: two blocks of 15 data codewords, then two of 16, 18 error-correction codewords each.
    const codewords = Uint8Array.from({ length: 62 }, (_, i) => i);
    const final = interleaveWithErrorCorrection({ version: 5, level: 'Q', codewords });
    expect([...final.slice(0, 8)]).toEqual([0, 15, 30, 46, 1, 16, 31, 47]);
    // The 16th data codewords exist only in the long blocks.
    expect([...final.slice(60, 62)]).toEqual([45, 61]);
    expect(final).toHaveLength(134);
  });

  it('puts the ECI of UTF-8 text into the symbol', () => {
    const symbol = encodeQr('Billet n°42 – Zürich ✓ 🎟', 'M');
    expect(symbol).toMatchObject({ eci: true, mode: 'byte' });
    expect(encodeData('Billet n°42 – Zürich ✓ 🎟', 'M').codewords[0] >> 4).toBe(0b0111);
  });
});
