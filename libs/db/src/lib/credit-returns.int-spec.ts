import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { JobName, QueueName } from '@mms/contracts';
// The repository's shared test fixtures (test/ is test support, not a project to depend on).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { newMessageFixture } from '../../../../test/fixtures';
import { acceptMessages, markMessageFailed, recordTransition } from './message-ledger';
import { createPgPool } from './pg-pool';

/** Credits given back for messages that fail before any MMSC accepted them (real PostgreSQL). */
describe('credit returns (real PostgreSQL)', () => {
  let pool: Pool;
  const job = { queue: QueueName.Barcode, jobName: JobName.RenderBarcode };

  beforeAll(() => {
    pool = createPgPool(process.env.DATABASE_URL as string, 6);
  });

  afterAll(async () => {
    await pool?.end();
  });

  async function accountWith(credits: number): Promise<number> {
    const { rows } = await pool.query<{ id: number }>(`INSERT INTO accounts (name, credits, updated_at) VALUES ($1, $2, now()) RETURNING id`, [
      `returns-${randomBytes(4).toString('hex')}`,
      credits,
    ]);
    return (rows[0] as { id: number }).id;
  }

  const credits = async (accountId: number) =>
    Number((await pool.query<{ credits: number }>('SELECT credits FROM accounts WHERE id = $1', [accountId])).rows[0]?.credits);

  const returns = async (accountId: number) =>
    (
      await pool.query<{ message_id: number; amount: number; reason: string }>(
        'SELECT message_id, amount, reason FROM credit_returns WHERE account_id = $1 ORDER BY id',
        [accountId],
      )
    ).rows;

  async function accept(accountId: number, n: number) {
    const outcomes = await acceptMessages(pool, Array.from({ length: n }, () => newMessageFixture(accountId, { via: 'credit returns test' })), job);
    return outcomes.map((o) => {
      if (!o.accepted) throw new Error('not accepted');
      return o;
    });
  }

  it('gives back the credit of an ACCEPTED message that fails, and records it', async () => {
    const account = await accountWith(3);
    const [message] = await accept(account, 1);
    if (message === undefined) throw new Error('none accepted');
    expect(await credits(account)).toBe(2);

    expect((await markMessageFailed(pool, message.trackingId, 'barcode', 'does not encode')).moved.size).toBe(1);
    expect(await credits(account)).toBe(3);
    expect(await returns(account)).toEqual([{ message_id: message.messageId, amount: 1, reason: 'barcode: does not encode' }]);
  });

  it('gives back the credit of a RENDERED message that fails', async () => {
    const account = await accountWith(1);
    const [message] = await accept(account, 1);
    if (message === undefined) throw new Error('none accepted');
    await recordTransition(pool, { messageId: message.messageId, from: ['ACCEPTED'], to: 'RENDERED' });

    await markMessageFailed(pool, message.trackingId, 'delivery', 'retries exhausted');
    expect(await credits(account)).toBe(1);
    expect((await returns(account)).map((r) => r.message_id)).toEqual([message.messageId]);
  });

  it('gives it back once when the message is failed twice', async () => {
    const account = await accountWith(2);
    const [message] = await accept(account, 1);
    if (message === undefined) throw new Error('none accepted');

    await markMessageFailed(pool, message.trackingId, 'barcode', 'first');
    expect((await markMessageFailed(pool, message.trackingId, 'barcode', 'second')).moved.size).toBe(0);
    expect(await credits(account)).toBe(2);
    expect(await returns(account)).toHaveLength(1);
  });

  it('gives it back once when concurrent fails race for the same messages', async () => {
    const account = await accountWith(5);
    const messages = await accept(account, 5);
    expect(await credits(account)).toBe(0);

    const results = await Promise.all(
      messages.flatMap((m) => Array.from({ length: 4 }, (_, i) => markMessageFailed(pool, m.trackingId, 'barcode', `racer ${i}`))),
    );
    expect(results.reduce((n, r) => n + r.moved.size, 0)).toBe(5);
    expect(await credits(account)).toBe(5);
    expect((await returns(account)).map((r) => r.message_id).sort((a, b) => a - b)).toEqual(messages.map((m) => m.messageId).sort((a, b) => a - b));
  });

  it('keeps the debit of a message that was SUBMITTED and then failed, was rejected or expired', async () => {
    const account = await accountWith(3);
    const messages = await accept(account, 3);
    for (const [m, to] of messages.map((m, i) => [m, (['FAILED', 'REJECTED', 'EXPIRED'] as const)[i]] as const)) {
      await recordTransition(pool, { messageId: m.messageId, from: ['ACCEPTED'], to: 'RENDERED' });
      await recordTransition(pool, { messageId: m.messageId, from: ['RENDERED'], to: 'SUBMITTED' });
      expect((await markMessageFailed(pool, m.trackingId, 'delivery', 'too late')).moved.size).toBe(0);
      await recordTransition(pool, { messageId: m.messageId, from: ['SUBMITTED'], to: to ?? 'FAILED', set: { failureReason: 'mmsc: 4006' } });
    }
    const statuses = await pool.query<{ status: string }>('SELECT status::text FROM messages WHERE account_id = $1 ORDER BY id', [account]);
    expect(statuses.rows.map((r) => r.status)).toEqual(['FAILED', 'REJECTED', 'EXPIRED']);
    expect(await credits(account)).toBe(0);
    expect(await returns(account)).toEqual([]);
  });
});
