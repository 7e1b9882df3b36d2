import { Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
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

/**
 * The same table on a plain `pg` pool, for a hot path that keeps the ORM out of its per-job work
 * (the barcode worker stores an image per render).
 */
export class PgPoolImageStore implements ImageStore {
  constructor(private readonly pool: Pool) {}

  async put(bytes: Buffer, contentType: string): Promise<string> {
    const key = imageKeyOf(bytes);
    await this.pool.query(
      `INSERT INTO stored_images (key, content_type, bytes, byte_size, created_at)
       VALUES ($1, $2, $3, $4, (now() AT TIME ZONE 'UTC'))
       ON CONFLICT (key) DO NOTHING`,
      [key, contentType, bytes, bytes.length],
    );
    return key;
  }

  async get(key: string): Promise<StoredImage | null> {
    const { rows } = await this.pool.query<{ key: string; content_type: string; bytes: Buffer }>(
      'SELECT key, content_type, bytes FROM stored_images WHERE key = $1',
      [key],
    );
    const row = rows[0];
    return row === undefined ? null : { key: row.key, contentType: row.content_type, bytes: row.bytes };
  }
}
