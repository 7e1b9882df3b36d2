import { DynamicModule, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import { DEFAULT_PG_POOL_LIMITS, PG_POOL, PgPoolLimits, createPgPool } from './pg-pool';
import { PrismaService } from './prisma.service';

export interface DbModuleOptions {
  readonly databaseUrl: string;
  readonly poolSize?: number;
  /** Statement and connect timeouts (pgPoolLimitsOf(config)); DEFAULT_PG_POOL_LIMITS without. */
  readonly limits?: PgPoolLimits;
}

const POOL_END_TIMEOUT_MS = 5000;

/**
 * Closes the database last: workers close in beforeApplicationShutdown (they finish or hand back
 * their jobs), queues and this pool in onApplicationShutdown.
 */
@Injectable()
class DatabaseLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly prisma: PrismaService,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.prisma.$disconnect();
    // pool.end() waits for every client to come back: one leaked by a dead transaction must not
    // hold the shutdown for ever (the process's shutdown deadline would end it, a test would hang).
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.pool.end(), new Promise((resolve) => (timer = setTimeout(resolve, POOL_END_TIMEOUT_MS)))]);
    clearTimeout(timer);
  }
}

@Module({})
export class DbModule {
  static forRoot(options: DbModuleOptions): DynamicModule {
    return {
      module: DbModule,
      global: true,
      providers: [
        { provide: PG_POOL, useFactory: () => createPgPool(options.databaseUrl, options.poolSize ?? 10, options.limits ?? DEFAULT_PG_POOL_LIMITS) },
        { provide: PrismaService, useFactory: (pool: Pool) => new PrismaService(pool), inject: [PG_POOL] },
        DatabaseLifecycle,
      ],
      exports: [PG_POOL, PrismaService],
    };
  }
}
