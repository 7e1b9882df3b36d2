import { createHash } from 'node:crypto';

export interface StoredImage {
  readonly key: string;
  readonly contentType: string;
  readonly bytes: Buffer;
}

/**
 * Content-addressed image store: the key is the SHA-256 of the bytes, so storing the same image
 * twice is one entry and a key names its bytes forever. Jobs carry keys, never bytes.
 */
export interface ImageStore {
  put(bytes: Buffer, contentType: string): Promise<string>;
  /** Many images at once (one round trip where the store allows); keys in the order given. */
  putMany(images: ReadonlyArray<{ bytes: Buffer; contentType: string }>): Promise<string[]>;
  /** The image, or null when no image has that key. */
  get(key: string): Promise<StoredImage | null>;
}

export const IMAGE_STORE = Symbol('IMAGE_STORE');

export function imageKeyOf(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
