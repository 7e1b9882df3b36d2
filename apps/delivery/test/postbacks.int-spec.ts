import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Pool } from 'pg';
import { createLogger } from '@mms/config';
import { MessageStatus, spidFor } from '@mms/contracts';
import { PG_POOL, type OutboxRow, markMessageFailed } from '@mms/db';
import { OutboxDispatcher } from '@mms/queue';
import { suitePrefix } from '../../../test/fixtures';
import { freePort } from '../../../test/free-port';
import { validateXml } from '../../../test/xml-schema';
import { DeliveryAppModule } from '../src/app.module';
import { loadDeliveryConfig } from '../src/config/delivery.config';
import { PostbackRepository } from '../src/postbacks/postback.repository';
import { PostbackWorker } from '../src/postbacks/postback.worker';
import { until } from './mm7-test-kit';
import {
  PartnerReceiver,
  type PartnerSettings,
  type Received,
  documentedVerifier,
  noticesIn,
  partnerAccount,
  readAsPhpSdk,
  renderedMessages,
  step,
} from './postback-test-kit';

interface AttemptRow {
  number: number;
  outcome: string | null;
  http_status: number | null;
  error: string | null;
  bundle_size: number;
}

/**
 * The postback worker in-process (the delivery app, real PostgreSQL and Redis) posting to a
 * partner's receiver on a real local port: the documents in each form as Skycore's PHP SDK reads
 * them, signatures by the recipe docs/postbacks.md prints, retries, order per message, bundles,
 * the address guard (a second app with private networks refused) and the sweep.
 */
describe('postbacks to a partner receiver (real HTTP, PostgreSQL and Redis)', () => {
  const receiver = new PartnerReceiver();
  let app: INestApplicationContext;
  let guarded: INestApplicationContext;
  let pool: Pool;
  const verifyPostback = documentedVerifier();

  async function boot(suite: string, env: Record<string, string>): Promise<INestApplicationContext> {
    const config = loadDeliveryConfig({
      ...process.env,
      QUEUE_PREFIX: suitePrefix(suite),
      LOG_LEVEL: 'error',
      POSTBACK_RETRY_DELAY_MS: '300',
      POSTBACK_MAX_ATTEMPTS: '5',
      POSTBACK_TIMEOUT_MS: '1000',
      POSTBACK_BUNDLE_WINDOW_MS: '400',
      POSTBACK_LOCK_MS: '5000',
      POSTBACK_SWEEP_INTERVAL_MS: '60000',
      ...env,
    });
    const context = await NestFactory.createApplicationContext(DeliveryAppModule.forRoot(config), {
      logger: createLogger('delivery', config.LOG_LEVEL, config.LOG_FORMAT),
    });
    await context.init();
    return context;
  }

  beforeAll(async () => {
    await receiver.start();
    app = await boot('pb', { POSTBACK_ALLOW_PRIVATE_NETWORKS: 'true' });
    guarded = await boot('pb-guard', { POSTBACK_ALLOW_PRIVATE_NETWORKS: 'false', POSTBACK_MAX_ATTEMPTS: '1' });
    pool = app.get<Pool>(PG_POOL);
  }, 30_000);

  afterAll(async () => {
    await guarded?.close();
    await app?.close();
    await receiver.close();
  });

  /** Hands the postback jobs to Redis as the process that recorded the steps does. */
  const dispatch = async (rows: readonly OutboxRow[], via: INestApplicationContext = app) => {
    expect(await via.get(OutboxDispatcher).dispatch(rows)).toBeUndefined();
  };

  let paths = 0;
  /** A partner of the test's own, whose postbacks come to a path of its own on the receiver. */
  async function partner(settings: Omit<PartnerSettings, 'postbackUrl'> & { postbackUrl?: string | null } = {}) {
    const path = `/partner-${(paths += 1)}`;
    const account = await partnerAccount(pool, { postbackUrl: `${receiver.base}${path}`, ...settings });
    return { ...account, path };
  }

  const requestsTo = (path: string, count: number, timeoutMs = 10_000) =>
    until(async () => (receiver.on(path).length >= count ? receiver.on(path) : undefined), timeoutMs, `${count} request(s) on ${path}`);

  const postbackOf = async (messageId: number, code: string) =>
    (
      await pool.query<{ id: number; state: string; attempts: number; last_error: string | null }>(
        `SELECT id, state::text, attempts, last_error FROM postbacks WHERE message_id = $1 AND code = $2::"PostbackCode"`,
        [messageId, code],
      )
    ).rows[0];

  const finished = (messageId: number, code: string, timeoutMs = 10_000) =>
    until(
      async () => {
        const row = await postbackOf(messageId, code);
        return row !== undefined && row.state !== 'PENDING' ? row : undefined;
      },
      timeoutMs,
      `the ${code} of message ${messageId} to finish`,
    );

  const attemptsOf = async (postbackId: number) =>
    (
      await pool.query<AttemptRow>(
        'SELECT number, outcome::text, http_status, error, bundle_size FROM postback_attempts WHERE postback_id = $1 ORDER BY number',
        [postbackId],
      )
    ).rows;

  const codesOf = (requests: readonly Received[], sdk: 'since-2014' | 'before-2014' = 'since-2014') =>
    requests.map((r) => noticesIn(readAsPhpSdk(r, sdk) ?? '').map((n) => n['CODE']));

  it.each([
    ['RAW_BODY', 'since-2014', 'text/xml; charset=utf-8'],
    ['FORM_FIELD_LOWER', 'since-2014', 'application/x-www-form-urlencoded'],
    ['FORM_FIELD_UPPER', 'before-2014', 'application/x-www-form-urlencoded'],
  ] as const)(
    'in form %s, N101, N102 and E101 are valid documents that the PHP SDK (%s) reads, signed as the docs say',
    async (form, sdk, contentType) => {
      const { id, secret, path } = await partner({ form });
      const [sent, failed] = await renderedMessages(pool, id, 2);
      if (sent === undefined || failed === undefined) throw new Error('not accepted');

      await dispatch(await step.submitted(pool, [sent]));
      await requestsTo(path, 1);
      await dispatch(await step.reported(pool, sent, MessageStatus.Delivered, 'motol7c'));
      const failure = await markMessageFailed(pool, failed.trackingId, 'delivery', 'MMSC answered 4004', 'the MMSC refused the message (4004)');
      await dispatch(failure.announced);
      const requests = await requestsTo(path, 3);

      const documents = requests.map((request) => readAsPhpSdk(request, sdk) ?? '');
      for (const [index, request] of requests.entries()) {
        expect(request.headers['content-type']).toBe(contentType);
        expect(request.headers['user-agent']).toBe('mmsgw-postbacks/1.0');
        expect(verifyPostback(secret, request.headers, request.body)).toBe(true);
        expect((await validateXml(documents[index] as string, 'postback')).errors).toEqual([]);
      }
      const notices = documents.map((xml) => noticesIn(xml)[0] as Record<string, string>);
      const byCode = new Map(notices.map((n) => [n['CODE'], n]));
      const spid = spidFor('US', null);
      expect(byCode.get('N101')).toEqual({
        ORIGIN: 'MMS_MT',
        CODE: 'N101',
        SENTAS: 'MMS',
        STATUS: 'Message Sent',
        MMSID: '35674',
        TO: sent.toNumber,
        TRACKINGID: sent.trackingId,
        SPID: spid,
        TIMESTAMP: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/),
      });
      expect(byCode.get('N102')).toEqual({
        ORIGIN: 'MMS_MT',
        CODE: 'N102',
        SENTAS: 'MMS',
        STATUS: 'Message Sent/Delivered',
        MMSID: '35674',
        TO: sent.toNumber,
        TRACKINGID: sent.trackingId,
        SPID: spid,
        TIMESTAMP: expect.any(String),
        HANDSET: 'motol7c',
        AGGREGATORID: `mmsc-${sent.id}`,
      });
      expect(byCode.get('E101')).toEqual({
        ORIGIN: 'MMS_MT',
        CODE: 'E101',
        STATUS: 'Message Failed',
        MMSID: '35674',
        TO: failed.toNumber,
        TRACKINGID: failed.trackingId,
        TIMESTAMP: expect.any(String),
        STATUSDETAILS: 'the MMSC refused the message (4004)',
      });
      // N101 before N102 (E101 is another message's).
      const codes = notices.map((n) => n['CODE']).filter((code) => code !== 'E101');
      expect(codes).toEqual(['N101', 'N102']);
      expect((await finished(sent.id, 'N102')).state).toBe('DELIVERED');
    },
  );

  it('a signature fails the documented check once the body, the timestamp or the secret differs', async () => {
    const { id, secret, path } = await partner();
    const [message] = await renderedMessages(pool, id, 1);
    await dispatch(await step.submitted(pool, [message as NonNullable<typeof message>]));
    const [request] = await requestsTo(path, 1);
    if (request === undefined) throw new Error('no request');
    expect(verifyPostback(secret, request.headers, request.body)).toBe(true);
    expect(verifyPostback(secret, request.headers, Buffer.concat([request.body, Buffer.from(' ')]))).toBe(false);
    expect(verifyPostback(`${secret}x`, request.headers, request.body)).toBe(false);
    const stamp = Number(request.headers['x-postback-timestamp']);
    expect(verifyPostback(secret, { ...request.headers, 'x-postback-timestamp': String(stamp + 1) }, request.body)).toBe(false);
    expect(verifyPostback(secret, request.headers, request.body, (stamp + 3600) * 1000)).toBe(false);
  });

  it('retries on 500 and on a timeout, with the same Idempotency-Key, until the partner answers 200', async () => {
    const { id, path } = await partner({ retryDelayMs: 200 });
    receiver.answerNext(path, { status: 500, body: 'database down' }, 'hang', { status: 503 });
    const [message] = await renderedMessages(pool, id, 1);
    if (message === undefined) throw new Error('not accepted');
    await dispatch(await step.submitted(pool, [message]));

    const done = await finished(message.id, 'N101', 15_000);
    expect(done).toMatchObject({ state: 'DELIVERED', attempts: 4 });
    const requests = receiver.on(path);
    expect(requests).toHaveLength(4);
    expect(new Set(requests.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    expect(await attemptsOf(done.id)).toEqual([
      { number: 1, outcome: 'HTTP_STATUS', http_status: 500, error: 'HTTP 500: database down', bundle_size: 1 },
      { number: 2, outcome: 'TIMEOUT', http_status: null, error: 'no answer within 1000 ms', bundle_size: 1 },
      { number: 3, outcome: 'HTTP_STATUS', http_status: 503, error: 'HTTP 503: OK', bundle_size: 1 },
      { number: 4, outcome: 'ACKNOWLEDGED', http_status: 200, error: null, bundle_size: 1 },
    ]);
    // Every retry waited the account's delay after the failed attempt.
    for (let i = 1; i < requests.length; i += 1) {
      expect((requests[i] as Received).at - (requests[i - 1] as Received).at).toBeGreaterThanOrEqual(190);
    }
  }, 20_000);

  it('gives up after the last attempt when nothing listens (refused connections), and records each attempt', async () => {
    const closed = await freePort();
    const { id } = await partnerAccount(pool, { postbackUrl: `http://127.0.0.1:${closed}/postbacks`, retryDelayMs: 100, maxAttempts: 3 });
    const [message] = await renderedMessages(pool, id, 1);
    if (message === undefined) throw new Error('not accepted');
    await dispatch(await step.submitted(pool, [message]));

    const done = await finished(message.id, 'N101');
    expect(done).toMatchObject({ state: 'GIVEN_UP', attempts: 3, last_error: expect.stringContaining('ECONNREFUSED') });
    const attempts = await attemptsOf(done.id);
    expect(attempts.map((a) => [a.number, a.outcome])).toEqual([
      [1, 'NETWORK_ERROR'],
      [2, 'NETWORK_ERROR'],
      [3, 'NETWORK_ERROR'],
    ]);
  });

  it('keeps N101 before N102 when the first N101 attempt fails: the N102 waits for it', async () => {
    const { id, path } = await partner({ retryDelayMs: 500 });
    receiver.answerNext(path, { status: 500 });
    const [message] = await renderedMessages(pool, id, 1);
    if (message === undefined) throw new Error('not accepted');
    await dispatch(await step.submitted(pool, [message]));
    await requestsTo(path, 1);
    // The N102 exists and is due while its N101 waits for its second attempt.
    await dispatch(await step.reported(pool, message, MessageStatus.Delivered, null));

    const requests = await requestsTo(path, 3);
    expect(codesOf(requests)).toEqual([['N101'], ['N101'], ['N102']]);
    expect((await finished(message.id, 'N102')).state).toBe('DELIVERED');
    // The N102 went as soon as the N101 was acknowledged (woken), not at a later look.
    expect((requests[2] as Received).at - (requests[1] as Received).at).toBeLessThan(1000);
  });

  it('bundles an account\'s notices that come due together into one POSTBACKS request, oldest first', async () => {
    const { id, secret, path } = await partner({ bundle: true });
    const messages = await renderedMessages(pool, id, 3);
    await dispatch(await step.submitted(pool, messages));

    const [request] = await requestsTo(path, 1);
    if (request === undefined) throw new Error('no request');
    const xml = readAsPhpSdk(request, 'since-2014') as string;
    expect((await validateXml(xml, 'postback')).errors).toEqual([]);
    expect(xml).toMatch(/^<\?xml version='1.0'\?>\n<POSTBACKS>\n<POSTBACK>/);
    expect(noticesIn(xml).map((n) => n['TRACKINGID'])).toEqual(messages.map((m) => m.trackingId));
    expect(request.headers['idempotency-key']).toMatch(/^bundle-[0-9a-f]{32}$/);
    expect(verifyPostback(secret, request.headers, request.body)).toBe(true);
    for (const message of messages) {
      const done = await finished(message.id, 'N101');
      expect(done.state).toBe('DELIVERED');
      expect(await attemptsOf(done.id)).toEqual([{ number: 1, outcome: 'ACKNOWLEDGED', http_status: 200, error: null, bundle_size: 3 }]);
    }
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(receiver.on(path)).toHaveLength(1);
  });

  it("keeps a bundle whole when another claim of the account is in flight: the claim waits for it instead of taking the rest", async () => {
    const { id } = await partner({ bundle: true });
    const messages = await renderedMessages(pool, id, 3);
    await step.submitted(pool, messages); // notices written, no job dispatched: only this test claims
    const ids = (await pool.query<{ id: number }>('SELECT id FROM postbacks WHERE account_id = $1 ORDER BY id', [id])).rows.map((r) => r.id);
    expect(ids).toHaveLength(3);

    // Another worker's claim holds the oldest notice's row.
    const other = await pool.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT id FROM postbacks WHERE id = $1 FOR UPDATE', [ids[0]]);
      let settled = false;
      const claim = app
        .get(PostbackRepository)
        .claim(5000, [], { accountId: id, limit: 10 })
        .finally(() => (settled = true));
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Skipping the held row would have claimed the other two at once: a bundle split in two.
      expect(settled).toBe(false);
      await other.query('ROLLBACK');
      expect((await claim).map((c) => c.id)).toEqual(ids);
    } finally {
      other.release();
    }
  });

  it.each([
    ['a loopback address', () => `${receiver.base}/guarded`, 'is loopback'],
    ['a private address', () => 'http://10.0.0.1/postbacks', '10.0.0.1 is private'],
    ['the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data/', '169.254.169.254 is link-local (cloud metadata)'],
    ['a name that resolves to loopback', () => `${receiver.base.replace('127.0.0.1', 'localhost')}/guarded-name`, 'localhost resolves to'],
    ['a scheme other than http(s)', () => 'ftp://partner.example/postbacks', 'must be http or https'],
  ])('refuses %s unless private networks are allowed, and gives up', async (_what, url, why) => {
    const { id } = await partnerAccount(pool, { postbackUrl: url() });
    const [message] = await renderedMessages(pool, id, 1);
    if (message === undefined) throw new Error('not accepted');
    await dispatch(await step.submitted(pool, [message]), guarded);

    const done = await finished(message.id, 'N101');
    expect(done).toMatchObject({ state: 'GIVEN_UP', attempts: 1 });
    const [attempt] = await attemptsOf(done.id);
    expect(attempt).toMatchObject({ outcome: 'BLOCKED', http_status: null });
    expect(attempt?.error).toContain(why);
    expect(receiver.on('/guarded')).toHaveLength(0);
    expect(receiver.on('/guarded-name')).toHaveLength(0);
  });

  it('lets the same name through where private networks are allowed (dev and tests)', async () => {
    const path = '/allowed-name';
    const { id } = await partnerAccount(pool, { postbackUrl: `${receiver.base.replace('127.0.0.1', 'localhost')}${path}` });
    const [message] = await renderedMessages(pool, id, 1);
    if (message === undefined) throw new Error('not accepted');
    await dispatch(await step.submitted(pool, [message]));
    expect(codesOf(await requestsTo(path, 1))).toEqual([['N101']]);
  });

  it('gives a notice up, with the reason, when its account no longer has a postback URL', async () => {
    const { id } = await partner();
    const [message] = await renderedMessages(pool, id, 1);
    if (message === undefined) throw new Error('not accepted');
    const announced = await step.submitted(pool, [message]);
    await pool.query('UPDATE accounts SET postback_url = NULL WHERE id = $1', [id]);
    await dispatch(announced);
    expect(await finished(message.id, 'N101')).toMatchObject({ state: 'GIVEN_UP', attempts: 0, last_error: 'the account has no postback URL' });
  });

  it('the sweep runs a notice again whose job was lost', async () => {
    const { id, path } = await partner();
    const [message] = await renderedMessages(pool, id, 1);
    if (message === undefined) throw new Error('not accepted');
    const announced = await step.submitted(pool, [message]);
    // The commit happened, the job never reached Redis, and the outbox row is gone too.
    await pool.query('DELETE FROM outbox WHERE id = ANY($1::int[])', [announced.map((row) => row.id)]);
    await pool.query(`UPDATE postbacks SET next_attempt_at = next_attempt_at - interval '5 minutes' WHERE message_id = $1`, [message.id]);

    expect(await app.get(PostbackWorker).sweepOnce()).toBeGreaterThanOrEqual(1);
    expect(codesOf(await requestsTo(path, 1))).toEqual([['N101']]);
    expect((await finished(message.id, 'N101')).state).toBe('DELIVERED');
  });
});
