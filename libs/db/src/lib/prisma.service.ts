import { PrismaPg } from '@prisma/adapter-pg';
import type { Pool } from 'pg';
import { PrismaClient } from '../generated/prisma/client';
import { DEFAULT_PG_POOL_LIMITS, pgPoolConfig } from './pg-pool';

/**
 * A client with a pool of its own, for scripts and tests. Prisma 7 runs queries through the pg
 * driver adapter: no native engine at run time.
 */
export function createPrismaClient(connectionString: string, poolSize = 10): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg(pgPoolConfig(connectionString, poolSize, DEFAULT_PG_POOL_LIMITS)) });
}

/**
 * The services' Prisma client, on the process's shared pool (PG_POOL): one set of connections
 * for the ORM and the plain-SQL hot paths (`pool`). DbModule disconnects it, then ends the pool;
 * a client made to own its pool (tests, scripts) ends it on $disconnect.
 */
export class PrismaService extends PrismaClient {
  constructor(
    readonly pool: Pool,
    options: { ownsPool?: boolean } = {},
  ) {
    super({ adapter: new PrismaPg(pool, { disposeExternalPool: options.ownsPool ?? false }) });
  }
}
