/**
 * How long the gateway's stuck-message reconciler takes over many stuck messages (printed, never
 * asserted): `node -r @swc-node/register scripts/bench-reconciler.ts [count]` (default 100,000).
 *
 * It builds its own world (a throw-away database with the dev seed, a Redis key prefix: see
 * bench/bench-world.ts), writes `count` messages stuck for an hour whose jobs Redis never had (one
 * in ten RENDERED, with an image), boots the gateway there and times two passes: the first finds
 * every job missing and enqueues them all again; the second finds them all waiting (the steady
 * state while the workers are behind) and touches nothing. The world is removed afterwards.
 *
 * Environment: REDIS_URL, DATABASE_URL (its server; the bench makes its own database there).
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { JobName, QueueName } from '@mms/contracts';
import { acceptMessages, createPgPool } from '@mms/db';
import { createGatewayApp } from '../apps/gateway/src/bootstrap';
import { loadGatewayConfig } from '../apps/gateway/src/config/gateway.config';
import { StuckMessageReconciler } from '../apps/gateway/src/outbox/stuck-message.reconciler';
import { newMessageFixture } from '../test/fixtures';
import { withDatabase } from '../test/test-database';
import { type BenchWorld, createWorld, planWorld, removeWorld } from './bench/bench-world';

const COUNT = Number(process.argv[2] ?? 100_000);
/** Messages accepted in one statement share their updated_at: the pages' keyset has ties this long. */
const ACCEPT_BATCH = 50;

/** `count` stuck messages, copied in one statement from one accepted through the ledger, with their events. */
async function writeStuckMessages(world: BenchWorld, count: number): Promise<void> {
  const pool = createPgPool(world.databaseUrl, 1);
  try {
    const { rows } = await pool.query<{ id: number }>(`SELECT id FROM accounts WHERE name = 'demo'`);
    const accountId = rows[0]?.id;
    if (accountId === undefined) throw new Error('the dev seed has no demo account');
    const [model] = await acceptMessages(pool, [newMessageFixture(accountId, { via: 'bench-reconciler' })], {
      queue: QueueName.Barcode,
      jobName: JobName.RenderBarcode,
    });
    if (model?.accepted !== true) throw new Error('the demo account has no credit for the model message');
    await pool.query(
      `WITH fresh AS (
         SELECT nextval('messages_id_seq'::regclass)::int AS id, n FROM generate_series(1, $2::int) AS n
       ), copied AS (
         INSERT INTO messages (id, tracking_id, account_id, template_id, database_id, barcode_value, to_number, to_country,
           requested_from, sender_code, custom_texts, merge_data, status, image_key, created_at, updated_at)
         SELECT f.id, encode(convert_to('MMS_' || f.id, 'UTF8'), 'base64'), m.account_id, m.template_id, m.database_id,
           'Bench_' || f.id, m.to_number, m.to_country, m.requested_from, m.sender_code, m.custom_texts, m.merge_data,
           (CASE WHEN f.n % 10 = 0 THEN 'RENDERED' ELSE 'ACCEPTED' END)::"MessageStatus",
           CASE WHEN f.n % 10 = 0 THEN repeat('b', 64) END,
           m.created_at - interval '1 hour', m.created_at - interval '1 hour' + make_interval(secs => (f.n / $3::int) * 0.01)
         FROM fresh f CROSS JOIN (SELECT * FROM messages WHERE id = $1) m
         RETURNING id, status, updated_at
       )
       INSERT INTO message_events (message_id, status, detail, at)
       SELECT id, status, '{"via": "bench-reconciler"}', updated_at FROM copied`,
      [model.messageId, count, ACCEPT_BATCH],
    );
    // The model is not stuck, and its hand-off to Redis is not the bench's.
    await pool.query('DELETE FROM messages WHERE id = $1', [model.messageId]);
    await pool.query('TRUNCATE outbox');
    await pool.query('ANALYZE messages');
  } finally {
    await pool.end();
  }
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(2)} s`;
}

async function main(): Promise<void> {
  const serverUrl = withDatabase(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres', 'postgres');
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const world = planWorld(`rec${Date.now().toString(36)}${randomBytes(2).toString('hex')}`, serverUrl, redisUrl);
  await createWorld(world);
  try {
    let started = performance.now();
    await writeStuckMessages(world, COUNT);
    console.log(`${COUNT} stuck messages written in ${seconds(started)}`);
    const app = await createGatewayApp(
      loadGatewayConfig({
        ...process.env,
        DATABASE_URL: world.databaseUrl,
        REDIS_URL: redisUrl,
        QUEUE_PREFIX: world.queuePrefix,
        OUTBOX_SWEEP_INTERVAL_MS: '600000',
        RECONCILE_INTERVAL_MS: '3600000',
        RECONCILE_AFTER_MS: '60000',
        LOG_LEVEL: 'warn',
      }),
    );
    try {
      const reconciler = app.get(StuckMessageReconciler);
      for (const pass of ['every job missing, all enqueued again', 'every job waiting, nothing to do']) {
        started = performance.now();
        const result = await reconciler.reconcileOnce();
        console.log(`pass (${pass}): ${seconds(started)}`, result);
      }
    } finally {
      await app.close();
    }
  } finally {
    const problems = await removeWorld(world);
    for (const problem of problems) console.error(problem);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
