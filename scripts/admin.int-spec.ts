import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { JobName, QueueName } from '@mms/contracts';
import { acceptMessages, createPgPool, recordTransition, withTransaction } from '@mms/db';
import { newMessageFixture } from '../test/fixtures';
import { admin as adminInProcess, adminProcess as admin } from './admin/fixtures/run-admin';

interface PostbackSettings {
  postback_url: string | null;
  postback_form: string;
  postback_bundle: boolean;
  postback_secret: string;
  postback_retry_delay_ms: number | null;
  postback_max_attempts: number | null;
}

/** An attempt row: number, started, outcome, HTTP status, error, duration ms, bundle size. */
type AttemptRow = [number, string, string | null, number | null, string | null, number | null, number];

describe('admin CLI: postbacks (real PostgreSQL)', () => {
  let pool: Pool;
  // An account of this suite's own: its settings change below, and nobody else's tests read it.
  const accountName = `admin-cli-${randomBytes(4).toString('hex')}`;
  let accountId: number;
  let trackingId: string;
  const nextAttemptAt = new Date(Date.now() + 3_600_000).toISOString();

  const settings = async () =>
    (
      await pool.query<PostbackSettings>(
        `SELECT postback_url, postback_form, postback_bundle, postback_secret, postback_retry_delay_ms, postback_max_attempts
         FROM accounts WHERE id = $1`,
        [accountId],
      )
    ).rows[0] as PostbackSettings;

  /** A notice and its attempts as the postback worker leaves them (times in UTC, as the ledger writes them). */
  async function addPostback(messageId: number, code: string, state: string, nextAt: string, lastError: string, attempts: AttemptRow[]): Promise<void> {
    const { rows } = await pool.query<{ id: number }>(
      `INSERT INTO postbacks (message_id, account_id, code, occurred_at, state, attempts, next_attempt_at, last_error)
       VALUES ($1, $2, $3::"PostbackCode", now() AT TIME ZONE 'UTC', $4::"PostbackState", $5, $6, $7) RETURNING id`,
      [messageId, accountId, code, state, attempts.length, nextAt, lastError],
    );
    for (const attempt of attempts) {
      await pool.query(
        `INSERT INTO postback_attempts (postback_id, number, started_at, outcome, http_status, error, duration_ms, bundle_size)
         VALUES ($1, $2, $3, $4::"PostbackOutcome", $5, $6, $7, $8)`,
        [rows[0]?.id, ...attempt],
      );
    }
  }

  beforeAll(async () => {
    pool = createPgPool(process.env.DATABASE_URL as string, 2);
    const { rows } = await pool.query<{ id: number }>(`INSERT INTO accounts (name, credits, updated_at) VALUES ($1, 1, now()) RETURNING id`, [accountName]);
    accountId = (rows[0] as { id: number }).id;

    // A message accepted and delivered through the ledger. Its render job never leaves the
    // transaction, and it ends DELIVERED, so no gateway or worker of another suite touches it.
    // The account has no postback URL yet: the ledger writes no notices, the ones below are ours.
    const accepted = await withTransaction(pool, async (client) => {
      const [outcome] = await acceptMessages(client, [newMessageFixture(accountId, { via: 'admin CLI test' })], {
        queue: QueueName.Barcode,
        jobName: JobName.RenderBarcode,
      });
      if (outcome?.accepted !== true) throw new Error('the test message was not accepted');
      await client.query('DELETE FROM outbox WHERE id = $1', [outcome.outboxId]);
      const { messageId } = outcome;
      await recordTransition(client, { messageId, from: ['ACCEPTED'], to: 'RENDERED', detail: { imageKey: 'test' } });
      await recordTransition(client, { messageId, from: ['RENDERED'], to: 'SUBMITTED', detail: { transport: 'outbox' } });
      await recordTransition(client, { messageId, from: ['SUBMITTED'], to: 'DELIVERED', detail: { handset: 'iPhoneOS' } });
      return outcome;
    });
    trackingId = accepted.trackingId;

    // N101 delivered at its second attempt (the first, in a bundle of 3, got a 503); N102 pending:
    // its first attempt timed out, its second has no outcome (the worker died during it). Its next
    // attempt is an hour away, so no postback sweep of another suite takes it.
    await addPostback(accepted.messageId, 'N101', 'DELIVERED', '2026-01-02T03:04:05Z', 'HTTP 503', [
      [1, '2026-01-02T03:04:06Z', 'HTTP_STATUS', 503, 'HTTP 503', 41, 3],
      [2, '2026-01-02T03:09:05Z', 'ACKNOWLEDGED', 200, null, 12, 1],
    ]);
    await addPostback(accepted.messageId, 'N102', 'PENDING', nextAttemptAt, 'no answer within 10000 ms', [
      [1, '2026-01-02T03:05:01Z', 'TIMEOUT', null, 'no answer within 10000 ms', 10004, 1],
      [2, '2026-01-02T03:10:01Z', null, null, null, null, 1],
    ]);
  }, 30_000);

  afterAll(async () => {
    await pool?.end();
  });

  it('message:show lists the postbacks and their attempts under the history, oldest first, without the secret', async () => {
    const { code, stdout } = await admin('message:show', trackingId);
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    const from = lines.indexOf('  postbacks:');
    expect(from).toBeGreaterThan(lines.findIndex((line) => / DELIVERED +\{"handset":"iPhoneOS"\}$/.test(line)));
    expect(lines.slice(from + 1, from + 7)).toEqual([
      expect.stringMatching(/^ {4}postback \d+ {2}N101 {2}DELIVERED {2}2 attempts {2}last error: HTTP 503$/),
      '      attempt 1  2026-01-02T03:04:06.000Z  HTTP_STATUS  HTTP 503  41 ms  bundle of 3  error: HTTP 503',
      '      attempt 2  2026-01-02T03:09:05.000Z  ACKNOWLEDGED  HTTP 200  12 ms',
      expect.stringMatching(
        new RegExp(`^ {4}postback \\d+ {2}N102 {2}PENDING {4}2 attempts {2}next attempt ${nextAttemptAt.replace('.', '\\.')} {2}last error: no answer within 10000 ms$`),
      ),
      '      attempt 1  2026-01-02T03:05:01.000Z  TIMEOUT  10004 ms  error: no answer within 10000 ms',
      '      attempt 2  2026-01-02T03:10:01.000Z  no outcome (in flight, or its worker died)',
    ]);
    expect(stdout).not.toContain((await settings()).postback_secret);
  });

  it("message:show prints the id of the request that accepted the message, or that none was recorded", async () => {
    const before = await admin('message:show', trackingId);
    expect(before.stdout.split('\n')).toContain('  request (none recorded)');
    await pool.query('UPDATE messages SET request_id = $1 WHERE tracking_id = $2', ['req-7f3a9c', trackingId]);
    const { code, stdout } = await adminInProcess('message:show', trackingId);
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    // Right under the addressing line, before the history.
    expect(lines[lines.findIndex((line) => line.startsWith('  to ')) + 1]).toBe('  request req-7f3a9c');
  });

  it('message:show says so, with exit code 1, when nothing matches', async () => {
    expect(await adminInProcess('message:show', 'no-such-barcode-value')).toEqual({ code: 1, stdout: 'no message found for no-such-barcode-value\n', stderr: '' });
  });

  it('account:postbacks shows the settings, the secret and the postbacks by state', async () => {
    const secret = (await settings()).postback_secret;
    const { code, stdout } = await admin('account:postbacks', accountName);
    expect(code).toBe(0);
    expect(stdout).toContain(`account ${accountName}: postback settings\n`);
    expect(stdout).toMatch(/^ {2}url +none/m);
    expect(stdout).toMatch(/^ {2}form +raw /m);
    expect(stdout).toMatch(/^ {2}bundle +off$/m);
    expect(stdout).toMatch(/^ {2}retry delay +\(fleet default\)$/m);
    expect(stdout).toMatch(/^ {2}max attempts +\(fleet default\)$/m);
    expect(stdout).toMatch(new RegExp(`^ {2}secret +${secret}$`, 'm'));
    expect(stdout).toMatch(/^ {2}postbacks +PENDING 1, DELIVERED 1, GIVEN_UP 0$/m);
  });

  it('account:postbacks refuses a bad option with exit code 2 and changes nothing, not even the good options beside it', async () => {
    const before = await settings();
    const badUrl = await admin('account:postbacks', accountName, '--bundle', 'on', '--url', 'ftp://x');
    expect(badUrl).toMatchObject({ code: 2, stdout: '' });
    expect(badUrl.stderr).toMatch(/^admin: --url must be http or https, got: ftp:\/\/x$/m);
    const badForm = await admin('account:postbacks', accountName, '--form', 'json');
    expect(badForm).toMatchObject({ code: 2, stdout: '' });
    expect(badForm.stderr).toMatch(/^admin: --form must be raw, xml or XML, got: json$/m);
    const badDelay = await admin('account:postbacks', accountName, '--retry-delay-ms', '99');
    expect(badDelay).toMatchObject({ code: 2, stdout: '' });
    expect(badDelay.stderr).toMatch(/^admin: --retry-delay-ms must be an integer from 100 to 86400000/m);
    const both = await adminInProcess('account:postbacks', accountName, '--url', 'https://partner.example/', '--no-url');
    expect(both).toMatchObject({ code: 2, stdout: '', stderr: 'admin: --url and --no-url together\n' });
    const unknown = await adminInProcess('account:postbacks', accountName, '--colour', 'red');
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toMatch(/^admin: unknown option '--colour'$/m);
    expect(await settings()).toEqual(before);
  });

  it('account:postbacks applies every option given, and puts the overrides back to the fleet default', async () => {
    const set = await admin(
      'account:postbacks', accountName,
      '--url', 'https://partner.example/postbacks?key=1',
      '--form', 'XML',
      '--bundle', 'on',
      '--retry-delay-ms', '60000',
      '--max-attempts', '3',
    );
    expect(set.code).toBe(0);
    expect(set.stdout).toContain(`account ${accountName}: postback settings changed\n`);
    expect(set.stdout).toMatch(/^ {2}url +https:\/\/partner\.example\/postbacks\?key=1$/m);
    expect(set.stdout).toMatch(/^ {2}form +XML /m);
    expect(set.stdout).toMatch(/^ {2}retry delay +60000 ms$/m);
    expect(set.stdout).toMatch(/^ {2}max attempts +3$/m);
    expect(await settings()).toMatchObject({
      postback_url: 'https://partner.example/postbacks?key=1',
      postback_form: 'FORM_FIELD_UPPER',
      postback_bundle: true,
      postback_retry_delay_ms: 60000,
      postback_max_attempts: 3,
    });

    const reset = await admin('account:postbacks', accountName, '--no-url', '--form', 'xml', '--bundle', 'off', '--retry-delay-ms', 'default', '--max-attempts', 'default');
    expect(reset.code).toBe(0);
    expect(reset.stdout).toMatch(/^1 pending postback will be given up/m);
    expect(await settings()).toMatchObject({
      postback_url: null,
      postback_form: 'FORM_FIELD_LOWER',
      postback_bundle: false,
      postback_retry_delay_ms: null,
      postback_max_attempts: null,
    });
  });

  it('account:postbacks --rotate-secret sets a new random 64-hex-digit secret and prints it', async () => {
    const before = await settings();
    const { code, stdout } = await admin('account:postbacks', accountName, '--rotate-secret');
    expect(code).toBe(0);
    const after = await settings();
    expect(after.postback_secret).toMatch(/^[0-9a-f]{64}$/);
    expect(after.postback_secret).not.toBe(before.postback_secret);
    expect(stdout).toMatch(new RegExp(`^ {2}secret +${after.postback_secret}$`, 'm'));
    expect(after).toEqual({ ...before, postback_secret: after.postback_secret });
  });
});

describe('admin CLI: usage', () => {
  /** The commands `--help` lists, by name. */
  async function commandNames(): Promise<string[]> {
    const { code, stdout } = await adminInProcess('--help');
    expect(code).toBe(0);
    return [...stdout.matchAll(/^ {2}([a-z-]+:[a-z-]+) /gm)].map((m) => m[1] as string);
  }

  it('lists every noun:verb command, the existing ones included, and explains each with --help and an example', async () => {
    const names = await commandNames();
    expect(names).toEqual(expect.arrayContaining(['message:show', 'database:create', 'database:settings', 'database:holders', 'account:postbacks']));
    expect(names.length).toBeGreaterThanOrEqual(25);
    for (const name of names) {
      const { code, stdout, stderr } = await adminInProcess(name, '--help');
      expect({ name, code, stderr }).toEqual({ name, code: 0, stderr: '' });
      expect(stdout).toMatch(new RegExp(`^Usage: npm run admin -- ${name} `));
      expect(stdout).toContain(`\nExamples:\n  npm run admin -- ${name}`);
    }
  });

  it('answers no command with the usage on stderr and an unknown command or a missing argument with exit code 2', async () => {
    const none = await adminInProcess();
    expect(none).toMatchObject({ code: 2, stdout: '' });
    expect(none.stderr).toMatch(/^Usage: npm run admin -- /);
    const unknown = await adminInProcess('acount:create', 'x');
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toMatch(/^admin: unknown command 'acount:create'/m);
    const missing = await adminInProcess('database:holders', '17856');
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toMatch(/^admin: missing required argument 'BARCODEID'$/m);
    const extra = await adminInProcess('account:show', 'demo', 'other');
    expect(extra).toMatchObject({ code: 2, stdout: '' });
    expect(extra.stderr).toMatch(/^admin: too many arguments for 'account:show'/m);
  });
});
