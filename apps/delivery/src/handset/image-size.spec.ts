import sharp from 'sharp';
import { imageSize, pngSize } from './image-size';

describe('image size', () => {
  it('reads width and height from a PNG header, as sharp does', async () => {
    for (const [width, height] of [
      [1, 1],
      [300, 120],
      [4096, 17],
    ] as const) {
      const png = await sharp({ create: { width, height, channels: 3, background: '#ffffff' } }).png().toBuffer();
      expect(pngSize(png)).toEqual({ width, height });
      const meta = await sharp(png).metadata();
      expect(pngSize(png)).toEqual({ width: meta.width, height: meta.height });
    }
  });

  it('gives null for what is not a PNG with a well-formed IHDR first', async () => {
    const png = await sharp({ create: { width: 10, height: 20, channels: 3, background: '#000000' } }).png().toBuffer();
    expect(pngSize(Buffer.from('GIF89a............................'))).toBeNull();
    expect(pngSize(png.subarray(0, 20))).toBeNull();
    const otherChunk = Buffer.from(png);
    otherChunk.write('tEXt', 12, 'latin1');
    expect(pngSize(otherChunk)).toBeNull();
    const zeroWidth = Buffer.from(png);
    zeroWidth.writeUInt32BE(0, 16);
    expect(pngSize(zeroWidth)).toBeNull();
  });

  it('asks sharp for other formats', async () => {
    const jpeg = await sharp({ create: { width: 33, height: 44, channels: 3, background: '#808080' } }).jpeg().toBuffer();
    expect(pngSize(jpeg)).toBeNull();
    await expect(imageSize(jpeg)).resolves.toEqual({ width: 33, height: 44 });
  });
});
