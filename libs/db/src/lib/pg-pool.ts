import { Logger } from '@nestjs/common';
import { Pool, PoolClient, PoolConfig, QueryConfig, QueryResult, QueryResultRow } from 'pg';

/** The process's one `pg` pool: plain-SQL repositories and Prisma's driver adapter share it. */
export const PG_POOL = Symbol('PG_POOL');

/** What a repository needs to run a statement: the pool, or a client inside a transaction. */
export interface SqlClient {
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
  /** A named statement is prepared once per connection: the hot paths' large statements plan once. */
  query<R extends QueryResultRow = QueryResultRow>(config: QueryConfig): Promise<QueryResult<R>>;
}

/** How long anything on a pool may take (docs/reliability.md, bounded everything). */
export interface PgPoolLimits {
  /** A statement running longer is cancelled by the server (statement_timeout). */
  readonly statementTimeoutMs: number;
  /** Opening a connection, or waiting for a free one of the pool, fails after this. */
  readonly connectTimeoutMs: number;
}

/** The defaults of DB_STATEMENT_TIMEOUT_MS and DB_CONNECT_TIMEOUT_MS (db-config.ts): for pools of scripts and tests too. */
export const DEFAULT_PG_POOL_LIMITS: PgPoolLimits = { statementTimeoutMs: 30_000, connectTimeoutMs: 5_000 };

/**
 * A pool that never takes the process down: an idle client whose server went away (PostgreSQL
 * restarted, a failover) emits 'error' on the pool, and without a listener Node exits on it.
 * The next query gets a fresh connection; the error is logged once per message and minute.
 * Bounded: no statement runs past `statementTimeoutMs` (the server cancels it), no connection
 * attempt or wait for a free connection past `connectTimeoutMs`, and TCP keep-alives notice a
 * server that vanished without closing its connections.
 */
export function createPgPool(connectionString: string, max: number, limits: PgPoolLimits = DEFAULT_PG_POOL_LIMITS, logger = new Logger('PostgreSQL')): Pool {
  // Named statements are the hot paths' large batch statements: planned once per connection
  // instead of at every execution (measured: a one-message accept in about half the time).
  // Unnamed statements (Prisma's, everyone else's) are planned per execution either way.
  const pool = new Pool(pgPoolConfig(connectionString, max, limits));
  const lastLogged = new Map<string, number>();
  const report = (what: string) => (error: Error) => {
    const now = Date.now();
    if (now - (lastLogged.get(error.message) ?? 0) < 60_000) return;
    lastLogged.set(error.message, now);
    logger.warn(`${what}: ${error.message}`);
  };
  pool.on('error', report('idle database connection lost'));
  // The pool listens only while a client is idle. A checked-out client (a transaction, a session
  // lock) whose connection breaks emits 'error' on itself too, and without this listener that
  // ends the process (seen: the delivery worker died when PostgreSQL went away mid-load). Its
  // query in flight still fails, and the pool discards the broken client when it is released.
  pool.on('connect', (client) => client.on('error', report('database connection lost while in use')));
  return pool;
}

/** The options createPgPool gives `pg` (exported for the unit test that pins them). */
export function pgPoolConfig(connectionString: string, max: number, limits: PgPoolLimits): PoolConfig {
  return {
    connectionString,
    max,
    options: '-c plan_cache_mode=force_generic_plan',
    statement_timeout: limits.statementTimeoutMs,
    connectionTimeoutMillis: limits.connectTimeoutMs,
    keepAlive: true,
  };
}

/** Runs `work` in one transaction on one client of the pool; rolls back when it throws. */
export async function withTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Runs `work` on one client of the pool while it holds the session advisory lock `key`, so that
 * one process of the fleet at a time does it (the gateway's background passes); `{ ran: false }`
 * when another session holds the lock. No transaction is held: `work` may talk to Redis for as
 * long as it needs. A client that failed is released as broken, which ends its session and so
 * the lock, rather than going back to the pool still holding it.
 */
export async function withSessionLock<T>(pool: Pool, key: number, work: (client: PoolClient) => Promise<T>): Promise<{ ran: true; result: T } | { ran: false }> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [key]);
    if (rows[0]?.locked !== true) return { ran: false };
    try {
      return { ran: true, result: await work(client) };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [key]);
    }
  } catch (error) {
    broken = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    client.release(broken);
  }
}
