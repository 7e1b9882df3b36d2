import * as zlib from 'node:zlib';
import sharp from 'sharp';
import { type BilevelImage, encodeBilevelPng, scanlineBytes, setRun } from './bilevel-png';
import { crc32, tableCrc32 } from './crc32';

/** Decodes with sharp (libspng/libvips) into rows of colour strings. */
async function decode(png: Buffer): Promise<{ width: number; height: number; channels: number; rows: string[][] }> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  const rows: string[][] = [];
  for (let y = 0; y < info.height; y += 1) {
    const row: string[] = [];
    for (let x = 0; x < info.width; x += 1) {
      const at = (y * info.width + x) * info.channels;
      row.push([...data.subarray(at, at + 3)].map((c) => c.toString(16).padStart(2, '0')).join(''));
    }
    rows.push(row);
  }
  return { width: info.width, height: info.height, channels: info.channels, rows };
}

const line = (width: number, ...runs: [number, number][]): Uint8Array => {
  const out = new Uint8Array(scanlineBytes(width));
  for (const [from, to] of runs) setRun(out, from, to);
  return out;
};

describe('setRun', () => {
  it('sets exactly pixels [from, to), most significant bit first, within and across bytes', () => {
    const bits = (bytes: Uint8Array): string => [...bytes].map((b) => b.toString(2).padStart(8, '0')).join('');
    expect(bits(line(24, [0, 1]))).toBe('100000000000000000000000');
    expect(bits(line(24, [3, 5]))).toBe('000110000000000000000000');
    expect(bits(line(24, [7, 17]))).toBe('000000011111111110000000');
    expect(bits(line(24, [0, 24]))).toBe('1'.repeat(24));
    expect(bits(line(24, [2, 2]))).toBe('0'.repeat(24));
    expect(bits(line(24, [1, 3], [5, 9], [22, 24]))).toBe('011001111000000000000011');
  });
});

describe('encodeBilevelPng', () => {
  const colours = { foreground: '1A2B3C', background: 'F0E0D0' };
  // 13 x 7: a pattern that is not byte-aligned, bands of several rows, a row repeated after another.
  const image: BilevelImage = {
    width: 13,
    height: 7,
    bands: [
      { line: line(13), rows: 1 },
      { line: line(13, [1, 4], [9, 13]), rows: 3 },
      { line: line(13, [0, 13]), rows: 1 },
      { line: line(13, [1, 4], [9, 13]), rows: 2 },
    ],
  };
  const expected = [
    '.............',
    '.###.....####',
    '.###.....####',
    '.###.....####',
    '#############',
    '.###.....####',
    '.###.....####',
  ];

  it('writes a 1-bit palette PNG that decodes to the bands, in the settings colours', async () => {
    const png = encodeBilevelPng(image, colours);
    const decoded = await decode(png);
    expect(decoded).toMatchObject({ width: 13, height: 7 });
    expect(decoded.rows.map((row) => row.map((c) => (c === '1a2b3c' ? '#' : c === 'f0e0d0' ? '.' : '?')).join(''))).toEqual(expected);
    const metadata = await sharp(png).metadata();
    expect(metadata).toMatchObject({ format: 'png', width: 13, height: 7, hasAlpha: false, isPalette: true, bitsPerSample: 1 });
  });

  it('has a valid IHDR (colour type 3, bit depth 1), a 2-entry PLTE, no tRNS, and correct CRCs', () => {
    const png = encodeBilevelPng(image, colours);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const chunks: { type: string; data: Buffer }[] = [];
    for (let at = 8; at < png.length; ) {
      const length = png.readUInt32BE(at);
      const type = png.toString('latin1', at + 4, at + 8);
      const data = png.subarray(at + 8, at + 8 + length);
      expect({ type, crc: png.readUInt32BE(at + 8 + length) }).toEqual({ type, crc: tableCrc32(png.subarray(at + 4, at + 8 + length)) });
      chunks.push({ type, data });
      at += 12 + length;
    }
    expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'PLTE', 'IDAT', 'IEND']);
    expect([...chunks[0].data]).toEqual([0, 0, 0, 13, 0, 0, 0, 7, 1, 3, 0, 0, 0]);
    expect(chunks[1].data.toString('hex')).toBe('f0e0d01a2b3c');
    // Each scanline once, its repeats as filter-Up rows of zeros.
    const raw = zlib.inflateSync(chunks[2].data);
    expect(raw).toHaveLength(7 * (1 + 2));
    expect([...raw.subarray(6, 9)]).toEqual([2, 0, 0]);
  });

  it('refuses bands that do not cover the image exactly, or scanlines of the wrong width', () => {
    expect(() => encodeBilevelPng({ ...image, height: 8 }, colours)).toThrow(/cover 7 rows of 8/);
    expect(() => encodeBilevelPng({ ...image, height: 6 }, colours)).toThrow(/exceed the image height/);
    expect(() => encodeBilevelPng({ width: 17, height: 1, bands: [{ line: line(13), rows: 1 }] }, colours)).toThrow(/3 expected/);
  });

  it('draws a large image (wider than 8 pixels per byte boundary, many rows) pixel for pixel', async () => {
    const width = 301;
    const bands = Array.from({ length: 40 }, (_, i) => ({ line: line(width, [i, i + 7 * (i % 5) + 1], [150 + i, 301]), rows: 1 + (i % 4) }));
    const height = bands.reduce((sum, band) => sum + band.rows, 0);
    const { rows } = await decode(encodeBilevelPng({ width, height, bands }, { foreground: '000000', background: 'FFFFFF' }));
    const want: string[] = [];
    bands.forEach((band, i) => {
      const row = Array.from({ length: width }, (_, x) => ((x >= i && x < i + 7 * (i % 5) + 1) || x >= 150 + i ? '#' : '.')).join('');
      for (let r = 0; r < band.rows; r += 1) want.push(row);
    });
    expect(rows.map((row) => row.map((c) => (c === '000000' ? '#' : '.')).join(''))).toEqual(want);
  });
});

describe('crc32', () => {
  it('the table fallback agrees with the check value and with node:zlib', () => {
    expect(tableCrc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 31) & 0xff));
    expect(tableCrc32(data)).toBe(crc32(data));
    expect(tableCrc32(data.subarray(500), tableCrc32(data.subarray(0, 500)))).toBe(tableCrc32(data));
  });
});
