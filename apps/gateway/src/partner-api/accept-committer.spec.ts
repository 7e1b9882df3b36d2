import type { Pool } from 'pg';
import { PartnerApiError } from '@mms/contracts';
// The repository's shared test fixtures (test/ is test support, not a project to depend on).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { newMessageFixture } from '../../../../test/fixtures';
import type { GatewayConfig } from '../config/gateway.config';
import type { OutboxDispatch, OutboxRelay } from '../outbox/outbox.relay';
import { AcceptCommitter } from './accept-committer';

/**
 * The group-commit pipeline with the database and Redis replaced by fakes: which requests share
 * a statement, what each is answered, and that every accepted message is handed to the relay.
 */
describe('AcceptCommitter', () => {
  const message = (accountId: number) => newMessageFixture(accountId);

  /** A fake accept statement: an account's credits are taken in batch order, as the SQL does. */
  function fakeDatabase(credits: Map<number, number>) {
    let nextId = 1;
    const statements: number[] = [];
    const pool = {
      query: async (config: { values: unknown[] }) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        const accounts = config.values[0] as number[];
        statements.push(accounts.length);
        const rows = accounts.flatMap((account, index) => {
          const left = credits.get(account) ?? 0;
          if (left <= 0) return [];
          credits.set(account, left - 1);
          const id = nextId++;
          return [{ ord: index + 1, id, tracking_id: `T${id}`, outbox_id: 100 + id }];
        });
        return { rows };
      },
    };
    return { pool: pool as unknown as Pool, statements };
  }

  function committer(pool: Pool, handedOff: OutboxDispatch[], settings: Partial<GatewayConfig> = {}) {
    const outbox = { dispatch: async (entries: readonly OutboxDispatch[]) => void handedOff.push(...entries) } as unknown as OutboxRelay;
    const config = { ACCEPT_BATCH_MAX: 500, ACCEPT_COMMITS_IN_FLIGHT: 1, ...settings } as GatewayConfig;
    return new AcceptCommitter(pool, outbox, config);
  }

  it('commits a lone request at once, and gathers the requests that arrive meanwhile into the next statement', async () => {
    const { pool, statements } = fakeDatabase(new Map([[1, 100]]));
    const handedOff: OutboxDispatch[] = [];
    const subject = committer(pool, handedOff);
    const first = subject.commit(message(1));
    // The lone request's statement has started; these 19 arrive while it runs.
    await new Promise((resolve) => setImmediate(resolve));
    const meanwhile = Array.from({ length: 19 }, () => subject.commit(message(1)));
    const answers = await Promise.all([first, ...meanwhile]);
    expect(statements).toEqual([1, 19]);
    expect(new Set(answers).size).toBe(20);
    await subject.onApplicationShutdown();
    expect(handedOff.map((entry) => entry.payload)).toEqual(answers.map((trackingId) => ({ trackingId })));
  });

  it('answers E713 past the credits, and still hands off the next accepted batch (a batch of refusals only must not stall the hand-off)', async () => {
    const credits = new Map([
      [1, 0],
      [2, 10],
    ]);
    const { pool } = fakeDatabase(credits);
    const handedOff: OutboxDispatch[] = [];
    const subject = committer(pool, handedOff);
    await expect(subject.commit(message(1))).rejects.toEqual(new PartnerApiError('E713'));
    const trackingId = await subject.commit(message(2));
    await subject.onApplicationShutdown();
    expect(handedOff.map((entry) => entry.payload)).toEqual([{ trackingId }]);
  });

  it('fails every request of a statement that fails, and recovers for the next', async () => {
    const { pool } = fakeDatabase(new Map([[1, 10]]));
    let broken = true;
    const failing = {
      query: async (config: { values: unknown[] }) => {
        if (broken) throw new Error('connection terminated');
        return (pool as unknown as { query: (c: unknown) => Promise<unknown> }).query(config);
      },
    } as unknown as Pool;
    const subject = committer(failing, []);
    await expect(subject.commit(message(1))).rejects.toThrow('connection terminated');
    broken = false;
    await expect(subject.commit(message(1))).resolves.toMatch(/^T/);
  });

  it('never takes more than ACCEPT_BATCH_MAX requests into one statement', async () => {
    const { pool, statements } = fakeDatabase(new Map([[1, 100]]));
    const subject = committer(pool, [], { ACCEPT_BATCH_MAX: 7 });
    await Promise.all(Array.from({ length: 30 }, () => subject.commit(message(1))));
    expect(Math.max(...statements)).toBe(7);
    expect(statements.reduce((a, b) => a + b, 0)).toBe(30);
  });
});
