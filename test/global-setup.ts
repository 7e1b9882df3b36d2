import { randomBytes } from 'node:crypto';
// Relative imports: jest's moduleNameMapper does not apply to global setup modules.
import { createPrismaClient } from '../libs/db/src/lib/prisma.service';
import { unreachableServices } from '../libs/config/src/lib/reachability';
import { seedDevWorld } from '../prisma/seed-world';
import { createMigratedDatabase } from './test-database';

/**
 * One throw-away database (migrated, with the dev seed world) and one Redis key prefix per test
 * run, handed to the test workers through the environment.
 */
export default async function globalSetup(): Promise<void> {
  const serverUrl = process.env.TEST_DATABASE_SERVER_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const unreachable = await unreachableServices(serverUrl, redisUrl);
  if (unreachable.length > 0) throw new Error(`integration tests need Redis and PostgreSQL:\n${unreachable.join('\n')}`);

  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const databaseName = `mmsgw_test_${runId}`;
  const databaseUrl = await createMigratedDatabase(serverUrl, databaseName);
  const prisma = createPrismaClient(databaseUrl, 2);
  try {
    await seedDevWorld(prisma, null);
  } finally {
    await prisma.$disconnect();
  }
  process.env.TEST_RUN_ID = runId;
  process.env.TEST_DATABASE_NAME = databaseName;
  process.env.TEST_DATABASE_SERVER_URL = serverUrl;
  process.env.DATABASE_URL = databaseUrl;
  process.env.REDIS_URL = redisUrl;
  process.env.QUEUE_PREFIX = `mmsgw-test-${runId}`;
}
