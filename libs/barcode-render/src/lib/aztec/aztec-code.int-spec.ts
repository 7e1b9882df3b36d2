/**
 * Whatever the Aztec Code encoder makes, an independent decoder (zxing-wasm) reads back as
 * exactly the value: random values of every kind and length up to about 1,000 bytes (every
 * character set, shifts, binary runs, ECI), and every layer count 1-32. No database: an
 * integration test because decoding is slow.
 */
import fc from 'fast-check';
import { UnencodableBarcodeError } from '../barcode-renderer';
import { readSymbol, stringOf } from '../symbol-read-back';
import { encodeAztec } from './aztec-code';

const readBack = (value: string, modulePx: number): Promise<string[]> => readSymbol(encodeAztec(value), 'Aztec', modulePx, 1);


beforeAll(async () => {
  expect(await readBack('warm-up', 2)).toEqual(['warm-up']);
});

describe.each([
  ['digits', stringOf(fc.constantFrom(...'0123456789., '), 1000)],
  ['text', stringOf(fc.constantFrom(...'ABCDEFGHIJabcdefghij0123 .,:;!?@\\^_`|~\r\n\t'), 1000)],
  // Every ASCII character, control characters and NUL included.
  ['ASCII', stringOf('binary-ascii', 1000)],
  // Any Unicode text: ECI 000026 and UTF-8 bytes in binary runs, up to 1,000 bytes.
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

it('reads back symbols of every layer count 1-32', async () => {
  const failures: string[] = [];
  const seen = new Set<number>();
  // Lengths growing by about 2 %, up to the largest symbol: every layer count gets a value.
  for (let length = 1; ; length += Math.max(1, Math.floor(length * 0.02))) {
    const value = Array.from({ length }, (_, i) => 'Aztec code 2D! '[i % 15]).join('');
    let layers: number;
    try {
      ({ layers } = encodeAztec(value));
    } catch (error) {
      expect(error).toBeInstanceOf(UnencodableBarcodeError);
      break;
    }
    if (seen.has(layers)) continue;
    seen.add(layers);
    const read = await readBack(value, 2);
    if (read.length !== 1 || read[0] !== value) failures.push(`${layers} layers (${length} characters): read ${read.length}`);
  }
  expect(failures).toEqual([]);
  expect(seen.size).toBe(32);
});
