import sharp from 'sharp';
import type { HandsetProfile } from './handset-profiles';

export interface Photo {
  readonly bytes: Buffer;
  readonly contentType: string;
}

/** Qualities tried, best first, when the photos must shrink to fit the message budget. */
const JPEG_QUALITIES = [85, 70, 55, 40] as const;

export class PhotosDoNotFitError extends Error {
  constructor(profile: HandsetProfile, budget: number, smallest: number) {
    super(`template photos need ${smallest} bytes at the lowest quality, the ${profile.name} handset leaves ${budget}`);
    this.name = 'PhotosDoNotFitError';
  }
}

/**
 * Fits a template's photos (never the barcode) to a handset: each scaled into the profile's image
 * box (never enlarged), then, while together they exceed the bytes the message has left, JPEG at
 * lower qualities. Photos already within both limits are sent untouched.
 */
export async function fitPhotos(photos: ReadonlyMap<number, Photo>, profile: HandsetProfile, budgetBytes: number): Promise<Map<number, Photo>> {
  const boxed = new Map<number, Photo>();
  for (const [slide, photo] of photos) {
    const { width = 0, height = 0 } = await sharp(photo.bytes).metadata();
    if (width <= profile.maxWidth && height <= profile.maxHeight) {
      boxed.set(slide, photo);
      continue;
    }
    const resized = sharp(photo.bytes).resize({ width: profile.maxWidth, height: profile.maxHeight, fit: 'inside', withoutEnlargement: true });
    boxed.set(slide, { bytes: await resized.jpeg({ quality: JPEG_QUALITIES[0] }).toBuffer(), contentType: 'image/jpeg' });
  }
  const total = (set: ReadonlyMap<number, Photo>) => [...set.values()].reduce((sum, p) => sum + p.bytes.length, 0);
  if (total(boxed) <= budgetBytes) return boxed;

  let smallest = Number.POSITIVE_INFINITY;
  for (const quality of JPEG_QUALITIES) {
    const recompressed = new Map<number, Photo>();
    for (const [slide, photo] of boxed) {
      const bytes = await sharp(photo.bytes).flatten({ background: '#ffffff' }).jpeg({ quality }).toBuffer();
      recompressed.set(slide, { bytes, contentType: 'image/jpeg' });
    }
    smallest = total(recompressed);
    if (smallest <= budgetBytes) return recompressed;
  }
  throw new PhotosDoNotFitError(profile, budgetBytes, smallest);
}
