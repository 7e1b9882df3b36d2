import { z } from 'zod';
import { DEFAULT_PG_POOL_LIMITS, PgPoolLimits } from './pg-pool';

/**
 * The database limits every service reads (spread into its env schema), so each process's pool
 * is bounded the same way and configured by the same names.
 */
export const dbEnv = {
  /** A statement running longer is cancelled by PostgreSQL (statement_timeout). */
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(DEFAULT_PG_POOL_LIMITS.statementTimeoutMs),
  /** Opening a connection, or waiting for a free one of the pool, fails after this. */
  DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(DEFAULT_PG_POOL_LIMITS.connectTimeoutMs),
} as const;

/** The pool limits from a service's validated configuration. */
export function pgPoolLimitsOf(config: { readonly DB_STATEMENT_TIMEOUT_MS: number; readonly DB_CONNECT_TIMEOUT_MS: number }): PgPoolLimits {
  return { statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS, connectTimeoutMs: config.DB_CONNECT_TIMEOUT_MS };
}
