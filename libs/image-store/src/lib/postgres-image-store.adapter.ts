import { Injectable } from '@nestjs/common';
import { PrismaService } from '@mms/db';
import { ImageStore, StoredImage, imageKeyOf } from './image-store';

/**
 * The default store: a PostgreSQL table every process of the fleet already reaches, so no shared
 * folder is needed between machines. An object-store adapter can replace it behind the same port.
 */
@Injectable()
export class PostgresImageStore implements ImageStore {
  constructor(private readonly prisma: PrismaService) {}

  async put(bytes: Buffer, contentType: string): Promise<string> {
    const key = imageKeyOf(bytes);
    await this.prisma.$executeRaw`
      INSERT INTO stored_images (key, content_type, bytes, byte_size)
      VALUES (${key}, ${contentType}, ${new Uint8Array(bytes)}, ${bytes.length})
      ON CONFLICT (key) DO NOTHING`;
    return key;
  }

  async get(key: string): Promise<StoredImage | null> {
    const row = await this.prisma.storedImage.findUnique({ where: { key } });
    return row === null ? null : { key: row.key, contentType: row.contentType, bytes: Buffer.from(row.bytes) };
  }
}
