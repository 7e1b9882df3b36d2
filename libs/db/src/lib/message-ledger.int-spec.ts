import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { JobName, QueueName, messageIdOf, trackingIdOf } from '@mms/contracts';
// The repository's shared test fixtures (test/ is test support, not a project to depend on).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { newMessageFixture, uniquePhone } from '../../../../test/fixtures';
import { type NewMessage, acceptMessages, markMessageFailed, recordTransition, recordTransitions } from './message-ledger';
import { createPgPool } from './pg-pool';

/** The ledger's statements against the run's real (migrated, seeded) PostgreSQL database. */
describe('message ledger (real PostgreSQL)', () => {
  let pool: Pool;
  const job = { queue: QueueName.Barcode, jobName: JobName.RenderBarcode };

  beforeAll(() => {
    pool = createPgPool(process.env.DATABASE_URL as string, 4);
  });

  afterAll(async () => {
    await pool?.end();
  });

  async function accountWith(credits: number): Promise<number> {
    const { rows } = await pool.query<{ id: number }>(
      `INSERT INTO accounts (name, credits, updated_at) VALUES ($1, $2, now()) RETURNING id`,
      [`ledger-${randomBytes(4).toString('hex')}`, credits],
    );
    return (rows[0] as { id: number }).id;
  }

  const credits = async (accountId: number) =>
    Number((await pool.query<{ credits: number }>('SELECT credits FROM accounts WHERE id = $1', [accountId])).rows[0]?.credits);

  const demoMessage = (accountId: number, overrides: Partial<NewMessage> = {}) => newMessageFixture(accountId, { via: 'ledger test', ...overrides });

  it('admits, per account and in batch order, only as many messages as the account has credits', async () => {
    const rich = await accountWith(10);
    const poor = await accountWith(2);
    const batch = [demoMessage(poor), demoMessage(rich), demoMessage(poor), demoMessage(poor), demoMessage(rich), demoMessage(poor)];
    const outcomes = await acceptMessages(pool, batch, job);

    expect(outcomes.map((o) => o.accepted)).toEqual([true, true, true, false, true, false]);
    expect(await credits(rich)).toBe(8);
    expect(await credits(poor)).toBe(0);
    const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM messages WHERE account_id = $1', [poor]);
    expect(rows[0]?.n).toBe(2);
  });

  it('writes each admitted message with the tracking id trackingIdOf gives, its ACCEPTED event and one outbox row', async () => {
    const account = await accountWith(5);
    const message = demoMessage(account, {
      customSubject: 'Hi',
      customTexts: [{ slide: '1', value: 'Row 5' }],
      mergeData: { NAME: 'Ada' },
      ddmTimeoutMinutes: 30,
    });
    const [outcome] = await acceptMessages(pool, [message], job);
    if (!outcome?.accepted) throw new Error('not accepted');

    expect(outcome.trackingId).toBe(trackingIdOf(outcome.messageId));
    expect(messageIdOf(outcome.trackingId)).toBe(outcome.messageId);
    const stored = await pool.query(
      `SELECT status::text, tracking_id, barcode_value, to_country, custom_subject, custom_texts, merge_data, ddm_timeout_minutes
       FROM messages WHERE id = $1`,
      [outcome.messageId],
    );
    expect(stored.rows[0]).toEqual({
      status: 'ACCEPTED',
      tracking_id: outcome.trackingId,
      barcode_value: message.barcodeValue,
      to_country: 'US',
      custom_subject: 'Hi',
      custom_texts: [{ slide: '1', value: 'Row 5' }],
      merge_data: { NAME: 'Ada' },
      ddm_timeout_minutes: 30,
    });
    const events = await pool.query('SELECT status::text, detail FROM message_events WHERE message_id = $1', [outcome.messageId]);
    expect(events.rows).toEqual([{ status: 'ACCEPTED', detail: { via: 'ledger test' } }]);
    const outbox = await pool.query('SELECT id, queue, job_name, job_id, payload FROM outbox WHERE job_id = $1', [outcome.trackingId]);
    expect(outbox.rows).toEqual([
      { id: outcome.outboxId, queue: 'barcode', job_name: 'barcode.render', job_id: outcome.trackingId, payload: { trackingId: outcome.trackingId } },
    ]);
  });

  it('remembers the last DEVICE a batch names for a phone, once', async () => {
    const account = await accountWith(5);
    const phone = uniquePhone();
    await acceptMessages(pool, [demoMessage(account, { toNumber: phone, device: 'Nokia 3310' }), demoMessage(account, { toNumber: phone, device: 'iPhone 15' })], job);
    const { rows } = await pool.query('SELECT device, source FROM phone_devices WHERE phone = $1', [phone]);
    expect(rows).toEqual([{ device: 'iPhone 15', source: 'partner-api' }]);
  });

  it('never overspends when concurrent batches race for the same account', async () => {
    const account = await accountWith(25);
    const batches = Array.from({ length: 8 }, () => Array.from({ length: 10 }, () => demoMessage(account)));
    const outcomes = (await Promise.all(batches.map((batch) => acceptMessages(pool, batch, job)))).flat();
    expect(outcomes.filter((o) => o.accepted)).toHaveLength(25);
    expect(await credits(account)).toBe(0);
  });

  it('moves a message only from the statuses a step names, recording one event per move', async () => {
    const account = await accountWith(3);
    const [a, b] = await acceptMessages(pool, [demoMessage(account), demoMessage(account)], job);
    if (!a?.accepted || !b?.accepted) throw new Error('not accepted');

    const rendered = await recordTransitions(pool, [
      { messageId: a.messageId, from: ['ACCEPTED'], to: 'RENDERED', set: { imageKey: 'a'.repeat(64) }, detail: { n: 1 } },
      { messageId: b.messageId, from: ['RENDERED'], to: 'SUBMITTED', detail: { n: 2 } },
    ]);
    expect([...rendered.moved]).toEqual([a.messageId]);
    // Run twice: no second move, no second event.
    expect((await recordTransition(pool, { messageId: a.messageId, from: ['ACCEPTED'], to: 'RENDERED' })).moved.size).toBe(0);
    const events = await pool.query<{ status: string }>('SELECT status::text FROM message_events WHERE message_id = $1 ORDER BY id', [a.messageId]);
    expect(events.rows.map((e) => e.status)).toEqual(['ACCEPTED', 'RENDERED']);
    const row = await pool.query('SELECT status::text, image_key FROM messages WHERE id = $1', [a.messageId]);
    expect(row.rows[0]).toEqual({ status: 'RENDERED', image_key: 'a'.repeat(64) });

    expect([...(await markMessageFailed(pool, b.trackingId, 'barcode', 'broken')).moved]).toEqual([b.messageId]);
    expect((await markMessageFailed(pool, b.trackingId, 'barcode', 'again')).moved.size).toBe(0);
    const failed = await pool.query('SELECT status::text, failure_reason FROM messages WHERE id = $1', [b.messageId]);
    expect(failed.rows[0]).toEqual({ status: 'FAILED', failure_reason: 'barcode: broken' });
  });

  it('writes the postback of each step partners hear of, with its outbox row, only for accounts with a postback URL', async () => {
    const listening = await accountWith(5);
    await pool.query(`UPDATE accounts SET postback_url = 'https://partner.example/postbacks' WHERE id = $1`, [listening]);
    const silent = await accountWith(5);
    const [sent, failed, quiet] = await acceptMessages(pool, [demoMessage(listening), demoMessage(listening), demoMessage(silent)], job);
    if (!sent?.accepted || !failed?.accepted || !quiet?.accepted) throw new Error('not accepted');

    const rendered = await recordTransitions(pool, [
      { messageId: sent.messageId, from: ['ACCEPTED'], to: 'RENDERED' },
      { messageId: quiet.messageId, from: ['ACCEPTED'], to: 'RENDERED' },
    ]);
    expect(rendered.announced).toEqual([]);
    const submitted = await recordTransitions(pool, [
      { messageId: sent.messageId, from: ['RENDERED'], to: 'SUBMITTED', detail: { reference: 'mmsc-1' } },
      { messageId: quiet.messageId, from: ['RENDERED'], to: 'SUBMITTED' },
    ]);
    const delivered = await recordTransition(pool, { messageId: sent.messageId, from: ['SUBMITTED'], to: 'DELIVERED', detail: { handset: 'motol7c' } });
    const failure = await markMessageFailed(pool, failed.trackingId, 'barcode', 'does not encode');

    const notices = await pool.query<{ id: number; message_id: number; code: string; state: string; detail: unknown }>(
      'SELECT id, message_id, code::text, state::text, detail FROM postbacks WHERE account_id = ANY($1::int[]) ORDER BY id',
      [[listening, silent]],
    );
    expect(notices.rows.map((n) => [n.message_id, n.code, n.state])).toEqual([
      [sent.messageId, 'N101', 'PENDING'],
      [sent.messageId, 'N102', 'PENDING'],
      [failed.messageId, 'E101', 'PENDING'],
    ]);
    expect(notices.rows[1]?.detail).toEqual({ handset: 'motol7c', status: 'DELIVERED' });
    const announced = [...submitted.announced, ...delivered.announced, ...failure.announced];
    expect(announced.map((row) => [row.jobName, row.payload])).toEqual(notices.rows.map((n) => [JobName.SendPostback, { postbackId: n.id }]));
    const outbox = await pool.query('SELECT queue, job_id FROM outbox WHERE id = ANY($1::int[]) ORDER BY id', [announced.map((row) => row.id)]);
    expect(outbox.rows).toEqual(notices.rows.map((n) => ({ queue: QueueName.Postback, job_id: `postback-${n.id}` })));
  });
});
