import { Redis } from 'ioredis';
import { createPrismaClient } from '@mms/db';
import { seedDevWorld } from '../../prisma/seed-world';
import { createMigratedDatabase, dropDatabase, withDatabase } from '../../test/test-database';

/**
 * The bench's own world: a throw-away PostgreSQL database (the committed migrations, then the dev
 * seed) and a Redis key prefix, so that a running `npm start` and its data are never touched.
 */
export interface BenchWorld {
  readonly runId: string;
  readonly serverUrl: string;
  readonly databaseName: string;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** QUEUE_PREFIX of the fleet. */
  readonly queuePrefix: string;
  /** Prefix of the ceiling server's queue: its own, so its jobs never reach a worker. */
  readonly ceilingPrefix: string;
}

export function planWorld(runId: string, serverUrl: string, redisUrl: string): BenchWorld {
  const databaseName = `mmsgw_bench_${runId}`;
  return {
    runId,
    serverUrl,
    databaseName,
    databaseUrl: withDatabase(serverUrl, databaseName),
    redisUrl,
    queuePrefix: `bench-${runId}`,
    ceilingPrefix: `bench-${runId}-ceiling`,
  };
}

export async function createWorld(world: BenchWorld): Promise<void> {
  await createSeededDatabase(world.serverUrl, world.databaseName, null);
}

/** A new database with the committed migrations and the dev seed (the demo account's postback URL as given). */
export async function createSeededDatabase(serverUrl: string, name: string, demoPostbackUrl: string | null): Promise<void> {
  const url = await createMigratedDatabase(serverUrl, name);
  const prisma = createPrismaClient(url, 2);
  try {
    await seedDevWorld(prisma, demoPostbackUrl);
  } finally {
    await prisma.$disconnect();
  }
}

/** Drops the database and deletes every key under both prefixes; each step tried even if one fails. */
export async function removeWorld(world: BenchWorld): Promise<string[]> {
  const problems: string[] = [];
  await dropDatabase(world.serverUrl, world.databaseName).catch((error: unknown) =>
    problems.push(`dropping database ${world.databaseName}: ${error instanceof Error ? error.message : String(error)}`),
  );
  await deleteKeys(world.redisUrl, [`${world.queuePrefix}:*`, `${world.ceilingPrefix}:*`]).catch((error: unknown) =>
    problems.push(`deleting Redis keys ${world.queuePrefix}:*: ${error instanceof Error ? error.message : String(error)}`),
  );
  return problems;
}

/** Deletes every key matching the patterns (a throw-away world's queue prefix). */
export async function deleteKeys(redisUrl: string, patterns: readonly string[]): Promise<void> {
  // No reconnecting: a Redis that is gone (a fault scenario's own, already stopped) must fail this
  // call, not leave a retry timer that keeps the process alive.
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    for (const pattern of patterns) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        if (keys.length > 0) await redis.unlink(...keys);
        cursor = next;
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
}
