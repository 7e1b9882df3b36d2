import { z } from 'zod';
import { dbEnv, pgPoolLimitsOf } from './db-config';
import { DEFAULT_PG_POOL_LIMITS, pgPoolConfig } from './pg-pool';

describe('the pg pool is bounded', () => {
  it('asks PostgreSQL to cancel long statements and gives up connecting (or waiting for a connection) in time', () => {
    expect(pgPoolConfig('postgresql://x@h/db', 7, { statementTimeoutMs: 1500, connectTimeoutMs: 700 })).toEqual({
      connectionString: 'postgresql://x@h/db',
      max: 7,
      options: '-c plan_cache_mode=force_generic_plan',
      statement_timeout: 1500,
      connectionTimeoutMillis: 700,
      keepAlive: true,
    });
  });

  it('by default: 30 s per statement, 5 s to connect, from DB_STATEMENT_TIMEOUT_MS and DB_CONNECT_TIMEOUT_MS', () => {
    const schema = z.object(dbEnv);
    expect(pgPoolLimitsOf(schema.parse({}))).toEqual(DEFAULT_PG_POOL_LIMITS);
    expect(DEFAULT_PG_POOL_LIMITS).toEqual({ statementTimeoutMs: 30_000, connectTimeoutMs: 5_000 });
    expect(pgPoolLimitsOf(schema.parse({ DB_STATEMENT_TIMEOUT_MS: '250', DB_CONNECT_TIMEOUT_MS: '900' }))).toEqual({ statementTimeoutMs: 250, connectTimeoutMs: 900 });
    // No way to switch them off: 0 would mean "no limit" to PostgreSQL and pg.
    expect(schema.safeParse({ DB_STATEMENT_TIMEOUT_MS: '0' }).success).toBe(false);
    expect(schema.safeParse({ DB_CONNECT_TIMEOUT_MS: '0' }).success).toBe(false);
  });
});
