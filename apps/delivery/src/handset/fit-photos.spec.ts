import sharp from 'sharp';
import { HANDSET_CLASSES } from './handset-profiles';
import { PhotosDoNotFitError, fitPhotos } from './fit-photos';

/** A noisy photo-like image: compresses badly, like a real photo. */
async function photo(width: number, height: number): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i += 1) pixels[i] = (i * 7919 + (i >> 5) * 31) % 256;
  return sharp(pixels, { raw: { width, height, channels: 3 } }).jpeg({ quality: 95 }).toBuffer();
}

describe('fitting template photos to a handset', () => {
  it('leaves a photo within the box and the budget untouched', async () => {
    const small = await photo(100, 80);
    const fitted = await fitPhotos(new Map([[1, { bytes: small, contentType: 'image/jpeg' }]]), HANDSET_CLASSES['image-rich'], 100_000);
    expect(fitted.get(1)?.bytes.equals(small)).toBe(true);
  });

  it('scales a large photo into the box, keeping its proportions', async () => {
    const fitted = await fitPhotos(new Map([[1, { bytes: await photo(1600, 1200), contentType: 'image/jpeg' }]]), HANDSET_CLASSES['image-basic'], 1_000_000);
    const meta = await sharp(fitted.get(1)?.bytes).metadata();
    expect([meta.width, meta.height]).toEqual([160, 120]);
  });

  it('lowers the JPEG quality until the photos fit the bytes left', async () => {
    const photos = new Map([[1, { bytes: await photo(640, 480), contentType: 'image/jpeg' }]]);
    const unconstrained = await fitPhotos(photos, HANDSET_CLASSES['image-rich'], 10_000_000);
    const budget = Math.floor((unconstrained.get(1)?.bytes.length ?? 0) * 0.6);
    const fitted = await fitPhotos(photos, HANDSET_CLASSES['image-rich'], budget);
    expect(fitted.get(1)?.bytes.length).toBeLessThanOrEqual(budget);
    expect(fitted.get(1)?.contentType).toBe('image/jpeg');
  });

  it('refuses, naming the numbers, when even the lowest quality does not fit', async () => {
    const photos = new Map([[1, { bytes: await photo(640, 480), contentType: 'image/jpeg' }]]);
    await expect(fitPhotos(photos, HANDSET_CLASSES['image-rich'], 500)).rejects.toThrow(PhotosDoNotFitError);
    await expect(fitPhotos(photos, HANDSET_CLASSES['image-rich'], 500)).rejects.toThrow(/the image-rich handset leaves 500/);
  });
});
