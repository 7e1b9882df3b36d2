import sharp from 'sharp';
import { type BarcodeSettings, type Symbology, parseBarcodeSettings } from '@mms/contracts';
import { matrixImage } from './barcode-raster';
import { UnencodableBarcodeError } from './barcode-renderer';
import { BwipRenderer } from './bwip-renderer.adapter';
import { modulePxStepOf } from './handset-fit';
import { MatrixPngRenderer } from './matrix-png-renderer.adapter';
import { encodeBilevelPng } from './png/bilevel-png';
import { encodeQr } from './qr/qr-code';

// bwip-js, the independent implementation compared against, takes seconds on a busy machine.
jest.setTimeout(30_000);

const ours = new MatrixPngRenderer();
const bwip = new BwipRenderer();
const settings = (raw: Record<string, unknown> = {}): BarcodeSettings => parseBarcodeSettings(raw);

/** Pixels as a string per row, '#' for dark, after flattening (bwip-js PNGs are RGBA). */
async function pixels(png: Buffer): Promise<{ width: number; height: number; rows: string[] }> {
  const { data, info } = await sharp(png).flatten({ background: '#ffffff' }).greyscale().raw().toBuffer({ resolveWithObject: true });
  const rows: string[] = [];
  for (let y = 0; y < info.height; y += 1) {
    let row = '';
    for (let x = 0; x < info.width; x += 1) row += data[y * info.width + x] < 128 ? '#' : '.';
    rows.push(row);
  }
  return { width: info.width, height: info.height, rows };
}

const LINEAR: readonly [Symbology, string][] = [
  ['CODE128', 'Ticket_12345'],
  ['CODE39', 'TICKET-12345'],
  ['EAN13', '4006381333931'],
  ['EAN13', '400638133393'],
  ['UPCA', '03600029145'],
  ['ITF14', '10012345678902'],
  ['GS1_128', '(01)09501101530003(17)250101(10)ABC123'],
];
/**
 * PDF417 is BWIPP's encoding drawn by us; Aztec and Data Matrix are our encoders, which make the
 * same symbols as BWIPP for ASCII text that both encode the same way (the encoder specs compare
 * many more; UTF-8 text differs by its ECI).
 */
const MATRIX: readonly [Symbology, string][] = [
  ['AZTEC', 'Ticket_12345'],
  ['AZTEC', 'https://example.com/'],
  ['DATAMATRIX', 'Ticket_12345'],
  ['DATAMATRIX', 'http://a.b/c?d=1'],
  ['PDF417', 'Ticket_12345'],
  ['PDF417', 'Billet n°42 – Zürich ✓'],
];

describe('MatrixPngRenderer', () => {
  it.each(LINEAR)('draws %s %j pixel for pixel as bwip-js does, at every module size and bar height', async (symbology, value) => {
    for (const [moduleSize, barHeightMm, quietZoneModules] of [
      [2, 15, undefined],
      [3, 33.3, undefined],
      [5, 7.7, 12],
      [8, 15, undefined],
    ] as const) {
      const at = settings({ moduleSize, barHeightMm, quietZoneModules });
      const [mine, theirs] = await Promise.all([ours.render(symbology, value, at), bwip.render(symbology, value, at)]);
      const where = { moduleSize, barHeightMm, quietZoneModules };
      expect({ ...where, width: mine.width, height: mine.height, modulePx: mine.modulePx }).toEqual({
        ...where,
        width: theirs.width,
        height: theirs.height,
        modulePx: theirs.modulePx,
      });
      expect((await pixels(mine.bytes)).rows).toEqual((await pixels(theirs.bytes)).rows);
    }
  });

  it.each(MATRIX)('draws %s %j pixel for pixel as bwip-js does at the sizes bwip-js draws', async (symbology, value) => {
    for (const [moduleSize, quietZoneModules] of [
      [2, undefined],
      [4, 3],
      [8, undefined],
    ] as const) {
      const at = settings({ moduleSize, quietZoneModules });
      const [mine, theirs] = await Promise.all([ours.render(symbology, value, at), bwip.render(symbology, value, at)]);
      expect({ moduleSize, width: mine.width, height: mine.height }).toEqual({ moduleSize, width: theirs.width, height: theirs.height });
      expect((await pixels(mine.bytes)).rows).toEqual((await pixels(theirs.bytes)).rows);
    }
  });

  it('draws QR Code from its own encoder, the same size as bwip-js, quiet zone of 4 modules', async () => {
    for (const value of ['Ticket_12345', 'https://tickets.example.com/e/2025/ab12cd', 'Billet n°42 – Zürich ✓ 🎟']) {
      const at = settings({ moduleSize: 8 });
      const [mine, theirs] = await Promise.all([ours.render('QRCODE', value, at), bwip.render('QRCODE', value, at)]);
      expect({ value, width: mine.width, height: mine.height }).toEqual({ value, width: theirs.width, height: theirs.height });
      const symbol = encodeQr(value, 'M', { boostLevel: true });
      const expected = encodeBilevelPng(matrixImage(symbol.modules, symbol.size, symbol.size, 8, 4), at);
      expect((await pixels(mine.bytes)).rows).toEqual((await pixels(expected)).rows);
      expect(mine.width).toBe((symbol.size + 8) * 8);
    }
  });

  it('draws any whole number of pixels per module, odd ones included, and says so', async () => {
    for (const symbology of ['QRCODE', 'AZTEC', 'DATAMATRIX', 'PDF417', 'CODE128'] as const) {
      expect(modulePxStepOf(ours, symbology)).toBe(1);
      const at2 = await ours.render(symbology, 'Ticket_12345', settings({ moduleSize: 2 }));
      for (const moduleSize of [3, 5, 7, 13]) {
        const image = await ours.render(symbology, 'Ticket_12345', settings({ moduleSize }));
        expect({ symbology, modulePx: image.modulePx }).toEqual({ symbology, modulePx: moduleSize });
        // Every dimension counted in modules: the image scales exactly with the module size
        // (linear codes: the bar height is in millimetres, so only the width does).
        expect(image.width).toBe((at2.width / 2) * moduleSize);
        if (symbology !== 'CODE128') expect(image.height).toBe((at2.height / 2) * moduleSize);
      }
    }
  });

  it('paints the settings colours on an opaque two-colour palette', async () => {
    const at = settings({ foreground: '1A2B3C', background: 'F0E8D8' });
    for (const symbology of ['QRCODE', 'ITF14'] as const) {
      const image = await ours.render(symbology, symbology === 'ITF14' ? '10012345678902' : 'Ticket_12345', at);
      const { data, info } = await sharp(image.bytes).raw().toBuffer({ resolveWithObject: true });
      const colours = new Set<string>();
      for (let i = 0; i < data.length; i += info.channels) colours.add(data.subarray(i, i + 3).toString('hex'));
      expect([...colours].sort()).toEqual(['1a2b3c', 'f0e8d8']);
      expect(await sharp(image.bytes).metadata()).toMatchObject({ hasAlpha: false, isPalette: true });
    }
  });

  it('makes JPEG and GIF from its PNG, the same size', async () => {
    for (const format of ['jpeg', 'gif'] as const) {
      const image = await ours.render('QRCODE', 'Ticket_12345', settings({ format }));
      const metadata = await sharp(image.bytes).metadata();
      expect({ contentType: image.contentType, width: metadata.width, height: metadata.height }).toEqual({
        contentType: `image/${format}`,
        width: image.width,
        height: image.height,
      });
    }
  });

  it('leaves human-readable text under linear codes to bwip-js, and draws 2-D codes itself whatever that setting says', async () => {
    const at = settings({ humanReadableText: true });
    const [mine, theirs] = await Promise.all([ours.render('EAN13', '4006381333931', at), bwip.render('EAN13', '4006381333931', at)]);
    expect(mine.bytes.equals(theirs.bytes)).toBe(true);
    const qr = await ours.render('QRCODE', 'Ticket_12345', at);
    expect(await sharp(qr.bytes).metadata()).toMatchObject({ isPalette: true });
  });

  it('refuses what a symbology cannot encode with UnencodableBarcodeError', async () => {
    await expect(ours.render('EAN13', '40063813339X', settings())).rejects.toThrow(UnencodableBarcodeError);
    await expect(ours.render('ITF14', '123', settings())).rejects.toThrow(UnencodableBarcodeError);
    await expect(ours.render('QRCODE', 'x'.repeat(2332), settings())).rejects.toThrow(/cannot encode as QRCODE: 2332 bytes/);
    await expect(ours.render('QRCODE', 'x'.repeat(2331), settings())).resolves.toMatchObject({ modulePx: 8 });
    await expect(ours.render('DATAMATRIX', 'x'.repeat(4000), settings())).rejects.toThrow(UnencodableBarcodeError);
  });
});
