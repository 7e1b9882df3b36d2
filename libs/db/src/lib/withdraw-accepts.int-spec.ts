import { randomBytes, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { JobName, QueueName } from '@mms/contracts';
// The repository's shared test fixtures (test/ is test support, not a project to depend on).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { newMessageFixture } from '../../../../test/fixtures';
import { acceptMessages, recordTransition, withdrawAccepts } from './message-ledger';
import { createPgPool } from './pg-pool';

/**
 * Withdrawing the accepts of a commit the gateway answered E503 because its outcome was lost
 * (real PostgreSQL): what it stored fails before any MMSC sees it, silently and with the credit
 * back, and nothing else is touched.
 */
describe('withdrawing accepts of commits in doubt (real PostgreSQL)', () => {
  let pool: Pool;
  const job = { queue: QueueName.Barcode, jobName: JobName.RenderBarcode };
  const since = () => new Date(Date.now() - 60_000);

  beforeAll(() => {
    pool = createPgPool(process.env.DATABASE_URL as string, 4);
  });

  afterAll(async () => {
    await pool?.end();
  });

  /** An account with a postback URL: a step it hears of would write a postback row. */
  async function account(credits: number): Promise<number> {
    const { rows } = await pool.query<{ id: number }>(
      `INSERT INTO accounts (name, credits, postback_url, updated_at) VALUES ($1, $2, 'https://partner.example/postbacks', now()) RETURNING id`,
      [`withdraw-${randomBytes(4).toString('hex')}`, credits],
    );
    return (rows[0] as { id: number }).id;
  }

  async function accept(accountId: number, n: number, token: string) {
    const outcomes = await acceptMessages(pool, Array.from({ length: n }, () => newMessageFixture(accountId, { via: 'withdraw test' })), job, token);
    return outcomes.map((o) => {
      if (!o.accepted) throw new Error('not accepted');
      return o;
    });
  }

  const state = async (accountId: number) => ({
    credits: Number((await pool.query<{ credits: number }>('SELECT credits FROM accounts WHERE id = $1', [accountId])).rows[0]?.credits),
    statuses: (await pool.query<{ status: string }>('SELECT status::text FROM messages WHERE account_id = $1 ORDER BY id', [accountId])).rows.map((r) => r.status),
    postbacks: Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM postbacks WHERE account_id = $1', [accountId])).rows[0]?.n),
    returns: Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM credit_returns WHERE account_id = $1', [accountId])).rows[0]?.n),
  });

  const outboxRows = async (trackingIds: readonly string[]) =>
    Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM outbox WHERE job_id = ANY($1::text[])', [[...trackingIds]])).rows[0]?.n);

  it("fails the messages of the commit in doubt, silently, with their credits back and their render jobs' outbox rows gone; other commits untouched", async () => {
    const acct = await account(10);
    const [doubtToken, otherToken] = [randomUUID(), randomUUID()];
    const doubted = await accept(acct, 2, doubtToken);
    const other = await accept(acct, 1, otherToken);
    expect((await state(acct)).credits).toBe(7);

    const result = await withdrawAccepts(pool, [doubtToken], since());

    expect([...result.withdrawn].sort()).toEqual(doubted.map((m) => m.trackingId).sort());
    expect(result.tooLate).toEqual([]);
    expect(await state(acct)).toEqual({ credits: 9, statuses: ['FAILED', 'FAILED', 'ACCEPTED'], postbacks: 0, returns: 2 });
    expect(await outboxRows(doubted.map((m) => m.trackingId))).toBe(0);
    expect(await outboxRows(other.map((m) => m.trackingId))).toBe(1);
    const reason = await pool.query<{ failure_reason: string }>('SELECT failure_reason FROM messages WHERE id = $1', [doubted[0]?.messageId]);
    expect(reason.rows[0]?.failure_reason).toMatch(/answered E503/);
  });

  it('withdraws a message already RENDERED, reports one already SUBMITTED as too late, and does nothing the second time', async () => {
    const acct = await account(10);
    const token = randomUUID();
    const [rendered, submitted] = await accept(acct, 2, token);
    if (rendered === undefined || submitted === undefined) throw new Error('not accepted');
    await recordTransition(pool, { messageId: rendered.messageId, from: ['ACCEPTED'], to: 'RENDERED' });
    await recordTransition(pool, { messageId: submitted.messageId, from: ['ACCEPTED'], to: 'RENDERED' });
    await recordTransition(pool, { messageId: submitted.messageId, from: ['RENDERED'], to: 'SUBMITTED' });
    const n101 = (await state(acct)).postbacks;

    expect(await withdrawAccepts(pool, [token], since())).toEqual({ withdrawn: [rendered.trackingId], tooLate: [submitted.trackingId] });
    expect(await state(acct)).toMatchObject({ credits: 9, statuses: ['FAILED', 'SUBMITTED'], postbacks: n101 });

    expect(await withdrawAccepts(pool, [token], since())).toEqual({ withdrawn: [], tooLate: [submitted.trackingId] });
    expect((await state(acct)).credits).toBe(9);
  });

  it('finds nothing for a commit that never committed', async () => {
    expect(await withdrawAccepts(pool, [randomUUID()], since())).toEqual({ withdrawn: [], tooLate: [] });
  });
});
