import { Pool } from 'pg';
import { dropDatabase, withDatabase } from '../../test/test-database';
import { createSeededDatabase, deleteKeys } from '../bench/bench-world';

/**
 * A scenario's own world: a throw-away database (the committed migrations, then the dev seed with
 * the suite's postback receiver as the demo account's postback URL) and a Redis key prefix, so
 * `npm start`, the tests and other scenarios are never touched.
 */
export class FaultWorld {
  private readonly pool: Pool;

  private constructor(
    readonly serverUrl: string,
    readonly databaseName: string,
    readonly queuePrefix: string,
  ) {
    this.pool = new Pool({ connectionString: withDatabase(serverUrl, databaseName), max: 2 });
    this.pool.on('error', () => undefined);
  }

  static async create(serverUrl: string, runId: string, scenario: string, postbackUrl: string): Promise<FaultWorld> {
    const slug = scenario.replace(/[^a-z0-9]/g, '_');
    const world = new FaultWorld(serverUrl, `mmsgw_faults_${runId}_${slug}`, `f${runId}-${scenario}`.slice(0, 40));
    // QUEUE_PREFIX takes 40 characters at most; scenario names differ well before that.
    await createSeededDatabase(serverUrl, world.databaseName, postbackUrl);
    return world;
  }

  get databaseUrl(): string {
    return withDatabase(this.serverUrl, this.databaseName);
  }

  /** A statement on the world's database directly (never through a scenario's proxy), for the ledgers. */
  async query<Row extends object>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    return (await this.pool.query<Row>(sql, [...params])).rows;
  }

  /** Drops the database and the queue prefix's keys in each Redis given; each step tried even if one fails. */
  async remove(redisUrls: readonly string[]): Promise<void> {
    await this.pool.end().catch(() => undefined);
    await dropDatabase(this.serverUrl, this.databaseName).catch(() => undefined);
    for (const url of redisUrls) await deleteKeys(url, [`${this.queuePrefix}:*`]).catch(() => undefined);
  }
}
