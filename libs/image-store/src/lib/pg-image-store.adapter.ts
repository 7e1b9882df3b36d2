import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL } from '@mms/db';
import { ImageStore, StoredImage, imageKeyOf } from './image-store';

/**
 * The default store: a PostgreSQL table every process of the fleet already reaches (so no shared
 * folder between machines), on the process's shared pool. An object-store adapter can replace it
 * behind the same port.
 */
@Injectable()
export class PgImageStore implements ImageStore {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async put(bytes: Buffer, contentType: string): Promise<string> {
    const [key] = await this.putMany([{ bytes, contentType }]);
    return key as string;
  }

  /**
   * Many images in one statement (a worker's batch); keys in the order given. An image stored
   * again that is older than a day is made young again, so the retention pass (which deletes
   * images nothing refers to, past RETENTION_IMAGES_DAYS) cannot take it from under the row
   * about to refer to it.
   */
  async putMany(images: ReadonlyArray<{ bytes: Buffer; contentType: string }>): Promise<string[]> {
    const keys = images.map((image) => imageKeyOf(image.bytes));
    if (images.length === 0) return keys;
    await this.pool.query(
      `INSERT INTO stored_images (key, content_type, bytes, byte_size, created_at)
       SELECT key, content_type, bytes, length(bytes), (now() AT TIME ZONE 'UTC')
       FROM unnest($1::text[], $2::text[], $3::bytea[]) AS i(key, content_type, bytes)
       ON CONFLICT (key) DO UPDATE SET created_at = EXCLUDED.created_at
         WHERE stored_images.created_at < EXCLUDED.created_at - interval '1 day'`,
      [keys, images.map((image) => image.contentType), images.map((image) => image.bytes)],
    );
    return keys;
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
