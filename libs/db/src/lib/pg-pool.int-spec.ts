import { createServer, type Server } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createPgPool } from './pg-pool';

/** The pool's bounds against the run's real PostgreSQL, and against a server that never answers. */
describe('createPgPool bounds every wait', () => {
  const databaseUrl = process.env.DATABASE_URL as string;

  it('has PostgreSQL cancel a statement past statementTimeoutMs (57014), and the connection stays usable', async () => {
    const pool = createPgPool(databaseUrl, 1, { statementTimeoutMs: 200, connectTimeoutMs: 2000 });
    try {
      const started = performance.now();
      await expect(pool.query('SELECT pg_sleep(5)')).rejects.toMatchObject({ code: '57014' });
      expect(performance.now() - started).toBeLessThan(2000);
      expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      expect((await pool.query<{ statement_timeout: string }>('SHOW statement_timeout')).rows[0]?.statement_timeout).toBe('200ms');
    } finally {
      await pool.end();
    }
  });

  it('gives up waiting for a free connection after connectTimeoutMs', async () => {
    const pool = createPgPool(databaseUrl, 1, { statementTimeoutMs: 5000, connectTimeoutMs: 300 });
    const held = await pool.connect();
    try {
      const started = performance.now();
      await expect(pool.query('SELECT 1')).rejects.toThrow(/timeout/i);
      expect(performance.now() - started).toBeLessThan(2000);
    } finally {
      held.release();
      await pool.end();
    }
  });

  it('gives up on a server that takes the connection and never answers, after connectTimeoutMs', async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const pool = createPgPool(`postgresql://nobody@127.0.0.1:${port}/nothing`, 1, { statementTimeoutMs: 5000, connectTimeoutMs: 300 });
    try {
      const started = performance.now();
      await expect(pool.query('SELECT 1')).rejects.toThrow(/timeout/i);
      expect(performance.now() - started).toBeLessThan(2000);
    } finally {
      await pool.end();
      silent.close();
    }
  });
});
