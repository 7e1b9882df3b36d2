/**
 * Whatever the Data Matrix encoder makes, an independent decoder (zxing-wasm) reads back as
 * exactly the value: random values of every kind and length up to about 1,000 bytes (so every
 * encodation scheme), and every square size filled to its capacity. No database: an integration
 * test because decoding is slow.
 */
import fc from 'fast-check';
import { readSymbol, stringOf } from '../symbol-read-back';
import { encodeDataMatrix } from './data-matrix';

const readBack = (value: string, modulePx: number): Promise<string[]> => readSymbol(encodeDataMatrix(value), 'DataMatrix', modulePx, 2);


beforeAll(async () => {
  expect(await readBack('warm-up', 2)).toEqual(['warm-up']);
});

describe.each([
  ['digits', stringOf(fc.constantFrom(...'0123456789'), 1000)],
  ['uppercase (C40)', stringOf(fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789'), 1000)],
  ['lowercase (Text)', stringOf(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz 0123456789./:-_'), 1000)],
  // Every ASCII character, control characters and NUL included.
  ['ASCII', stringOf('binary-ascii', 1000)],
  // Any Unicode text: ECI 000026 and UTF-8, up to 1,000 bytes.
  ['UTF-8', stringOf('grapheme', 400).filter((value) => Buffer.byteLength(value, 'utf8') <= 1000)],
] as const)('%s values', (_kind, values) => {
  it('read back exactly', async () => {
    await fc.assert(
      fc.asyncProperty(values, fc.constantFrom(2, 3), async (value, modulePx) => {
        expect(await readBack(value, modulePx)).toEqual([value]);
      }),
      { numRuns: 50 },
    );
  });
});

it('reads back every square size filled to its capacity, in ASCII, C40 and Text', async () => {
  const capacities = [3, 5, 8, 12, 18, 22, 30, 36, 44, 62, 86, 114, 144, 174, 204, 280, 368, 456, 576, 696, 816, 1050, 1304, 1558];
  const failures: string[] = [];
  for (const capacity of capacities) {
    for (const value of [
      Array.from({ length: capacity }, (_, i) => '!#%&(*,.;<'[i % 10]).join(''),
      // C40 and Text: three characters to two codewords, the latch and unlatch around them.
      'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.repeat(Math.ceil(capacity / 13)).slice(0, Math.floor(((capacity - 2) * 3) / 2)),
      'abcdefghijklmnopqrstuvwxyz'.repeat(Math.ceil(capacity / 13)).slice(0, Math.floor(((capacity - 2) * 3) / 2)),
    ]) {
      if (value.length === 0) continue;
      const { size, encodation } = encodeDataMatrix(value);
      const read = await readBack(value, 2);
      if (read.length !== 1 || read[0] !== value) failures.push(`${capacity} codewords, ${encodation}, ${size}x${size}: read ${read.length}`);
    }
  }
  expect(failures).toEqual([]);
});
