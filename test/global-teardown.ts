import { Redis } from 'ioredis';
import { dropDatabase } from './test-database';

/** Drops the run's database and deletes every Redis key under the run's prefix. */
export default async function globalTeardown(): Promise<void> {
  const { TEST_DATABASE_SERVER_URL, TEST_DATABASE_NAME, QUEUE_PREFIX, REDIS_URL } = process.env;
  if (TEST_DATABASE_SERVER_URL && TEST_DATABASE_NAME && process.env.KEEP_TEST_DATABASE !== '1') {
    await dropDatabase(TEST_DATABASE_SERVER_URL, TEST_DATABASE_NAME);
  }
  if (REDIS_URL && QUEUE_PREFIX?.startsWith('mmsgw-test-')) {
    const redis = new Redis(REDIS_URL);
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${QUEUE_PREFIX}*`, 'COUNT', 1000);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  }
}
