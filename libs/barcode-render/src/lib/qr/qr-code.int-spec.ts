/**
 * Whatever the QR Code encoder makes, an independent decoder (zxing-wasm, ZXing's C++ core) reads
 * back as exactly the value: random values of every mode and length up to about 1,000 bytes at
 * every error-correction level, and every version 1-40 filled to its capacity at every level.
 * No database: an integration test because decoding is slow.
 */
import fc from 'fast-check';
import { UnencodableBarcodeError } from '../barcode-renderer';
import { readSymbol, stringOf } from '../symbol-read-back';
import { encodeQr } from './qr-code';
import { countBits } from './qr-data';
import { type QrErrorCorrection, blockLayout } from './qr-tables';

const LEVELS: readonly QrErrorCorrection[] = ['L', 'M', 'Q', 'H'];

/** What ZXing reads from the symbol drawn at `modulePx` with the standard 4-module quiet zone. */
async function readBack(value: string, level: QrErrorCorrection, modulePx: number): Promise<{ read: string[]; version: number; level: string }> {
  const symbol = encodeQr(value, level);
  return { read: await readSymbol(symbol, 'QRCode', modulePx, 4), version: symbol.version, level: symbol.level };
}


const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

beforeAll(async () => {
  // Load the wasm once, outside any one case's time.
  expect((await readBack('warm-up', 'M', 2)).read).toEqual(['warm-up']);
});

describe.each([
  ['numeric', stringOf(fc.constantFrom(...'0123456789'), 1000)],
  ['alphanumeric', stringOf(fc.constantFrom(...ALPHANUMERIC), 1000)],
  // Every ASCII character, control characters and NUL included: byte mode, no ECI.
  ['ASCII', stringOf('binary-ascii', 1000)],
  // Any Unicode text (astral characters, combining marks): ECI 000026 and UTF-8, up to 1,000 bytes.
  ['UTF-8', stringOf('grapheme', 400).filter((value) => Buffer.byteLength(value, 'utf8') <= 1000)],
] as const)('%s values', (_kind, values) => {
  it('read back exactly, at every error-correction level', async () => {
    await fc.assert(
      fc.asyncProperty(values, fc.constantFrom(...LEVELS), fc.constantFrom(2, 3), async (value, level, modulePx) => {
        const { read, level: used } = await readBack(value, level, modulePx);
        expect(used).toBe(level);
        expect(read).toEqual([value]);
      }),
      { numRuns: 75 },
    );
  });
});

it('reads back every version 1-40 at every level filled to its byte capacity; one byte more takes the next version', async () => {
  const failures: string[] = [];
  for (let version = 1; version <= 40; version += 1) {
    for (const level of LEVELS) {
      const capacity = Math.floor((blockLayout(version, level).dataCodewords * 8 - 4 - countBits('byte', version)) / 8);
      const value = Array.from({ length: capacity }, (_, i) => 'abcdefghijklmnopqrstuvwxyz'[(i * 7 + version) % 26]).join('');
      const { read, version: used } = await readBack(value, level, 2);
      if (used !== version || read.length !== 1 || read[0] !== value) failures.push(`${version}-${level}: version ${used}, read ${read.length}`);
      if (version < 40) expect(encodeQr(`${value}x`, level).version).toBe(version + 1);
      else expect(() => encodeQr(`${value}x`, level)).toThrow(UnencodableBarcodeError);
    }
  }
  expect(failures).toEqual([]);
});
