import { Client } from 'pg';
import { Redis } from 'ioredis';
import { createPrismaClient } from '@mms/db';
import { seedDevWorld } from '../../prisma/seed-world';
import { createMigratedDatabase, dropDatabase, withDatabase } from '../../test/test-database';

/**
 * A scenario's own world: a throw-away database (the committed migrations, then the dev seed with
 * the suite's postback receiver as the demo account's postback URL) and a Redis key prefix, so
 * `npm start`, the tests and other scenarios are never touched.
 */
export class FaultWorld {
  private constructor(
    readonly serverUrl: string,
    readonly databaseName: string,
    readonly queuePrefix: string,
  ) {}

  static async create(serverUrl: string, runId: string, scenario: string, postbackUrl: string): Promise<FaultWorld> {
    const slug = scenario.replace(/[^a-z0-9]/g, '_');
    const world = new FaultWorld(serverUrl, `mmsgw_faults_${runId}_${slug}`, `f${runId}-${scenario}`.slice(0, 40));
    // QUEUE_PREFIX takes 40 characters at most; scenario names differ well before that.
    await createMigratedDatabase(serverUrl, world.databaseName);
    const prisma = createPrismaClient(world.databaseUrl, 2);
    try {
      await seedDevWorld(prisma, postbackUrl);
    } finally {
      await prisma.$disconnect();
    }
    return world;
  }

  get databaseUrl(): string {
    return withDatabase(this.serverUrl, this.databaseName);
  }

  /** A direct connection (never through a scenario's proxy) for the ledgers. */
  async query<Row extends object>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    const client = new Client({ connectionString: this.databaseUrl });
    await client.connect();
    try {
      return (await client.query<Row>(sql, [...params])).rows;
    } finally {
      await client.end();
    }
  }

  async remove(redisUrls: readonly string[]): Promise<void> {
    await dropDatabase(this.serverUrl, this.databaseName).catch(() => undefined);
    for (const url of redisUrls) {
      const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000, retryStrategy: () => null });
      redis.on('error', () => undefined);
      try {
        await redis.connect();
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${this.queuePrefix}:*`, 'COUNT', 1000);
          if (keys.length > 0) await redis.unlink(...keys);
          cursor = next;
        } while (cursor !== '0');
      } catch {
        // a scenario's own Redis may be gone already
      } finally {
        redis.disconnect();
      }
    }
  }
}
