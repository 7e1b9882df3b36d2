import sharp from 'sharp';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Width and height from a PNG's header: the IHDR chunk must come first (PNG spec §5.6, §11.2.2),
 * its width and height are its first two 4-byte fields. Null when the bytes are not a PNG with a
 * well-formed IHDR.
 */
export function pngSize(bytes: Buffer): { width: number; height: number } | null {
  if (bytes.length < 24 || !bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return null;
  if (bytes.readUInt32BE(8) !== 13 || bytes.toString('latin1', 12, 16) !== 'IHDR') return null;
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  return width > 0 && height > 0 ? { width, height } : null;
}

/** An image's pixel size: from the header for a PNG (no decoder), from sharp for anything else. */
export async function imageSize(bytes: Buffer): Promise<{ width: number; height: number }> {
  const png = pngSize(bytes);
  if (png !== null) return png;
  const { width = 0, height = 0 } = await sharp(bytes).metadata();
  return { width, height };
}
