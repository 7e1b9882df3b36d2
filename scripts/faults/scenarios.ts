import { Queue } from 'bullmq';
import { QueueName } from '@mms/contracts';
import { redisOptionsFrom } from '@mms/queue';
import { freePort } from '../../test/free-port';
import { simulatorMessages, simulatorTakes } from './ledger';
import { Scenario, ScenarioContext } from './scenario';
import { CuttableProxy } from './tcp-proxy';
import { ThrowawayRedis } from './throwaway-redis';

/** The load of most scenarios: 300 requests at 20/s, each a distinct BARCODEID. */
const LOAD = { requests: 300, perSecond: 20 } as const;
/** Submits one delivery process has in flight at most: the window a SIGKILL can repeat. */
const DELIVERY_CONCURRENCY = 8;
/** The bound on an E503 while PostgreSQL is away (the gateway's connect timeout plus slack). */
const E503_WITHIN_MS = 6000;

async function simulatorConfig(ctx: ScenarioContext, settings: Record<string, unknown> | null): Promise<void> {
  const response = await fetch(`${ctx.fleet.simulatorOrigin}/api/config`, {
    method: settings === null ? 'DELETE' : 'POST',
    headers: settings === null ? {} : { 'content-type': 'application/json' },
    body: settings === null ? undefined : JSON.stringify(settings),
  });
  if (!response.ok) throw new Error(`the simulator refused ${JSON.stringify(settings)}: HTTP ${response.status} ${await response.text()}`);
}

interface SimulatorStats {
  readonly failuresInjected: { readonly timeout: number };
}

async function simulatorStats(ctx: ScenarioContext): Promise<SimulatorStats> {
  return (await (await fetch(`${ctx.fleet.simulatorOrigin}/api/stats`)).json()) as SimulatorStats;
}

/**
 * TransactionIDs the simulator refused with a 2xxx (permanent) status and never took, with how
 * often each was sent. (A 2xxx drawn for the retry of a SubmitReq the simulator had already
 * taken, its answer held past our timeout, is the simulator's coin, not a refusal a real MMSC
 * would give its own TransactionID: that message counts as submitted.)
 */
async function permanentRefusals(ctx: ScenarioContext): Promise<Map<string, number>> {
  const taken = await simulatorTakes(ctx.fleet.simulatorOrigin);
  const refused = new Map<string, number>();
  for (const m of await simulatorMessages(ctx.fleet.simulatorOrigin, 'rejected')) {
    if (m.transactionId === null || taken.has(m.transactionId)) continue;
    if (m.statusCode !== undefined && m.statusCode >= 2000 && m.statusCode < 3000) refused.set(m.transactionId, (refused.get(m.transactionId) ?? 0) + 1);
  }
  return refused;
}

const killWorkers: Scenario = {
  name: 'kill-workers',
  summary: 'SIGKILL the barcode worker, restart it; then SIGKILL the delivery worker, restart it',
  load: LOAD,
  env: { DELIVERY_CONCURRENCY: String(DELIVERY_CONCURRENCY) },
  async inject(ctx) {
    await ctx.at(4000);
    await ctx.fleet.kill('barcode');
    ctx.note('barcode worker killed (SIGKILL)');
    await ctx.at(6000);
    ctx.fleet.start('barcode');
    ctx.note('barcode worker started again');
    await ctx.at(9000);
    await ctx.fleet.kill('delivery');
    ctx.note('delivery worker killed (SIGKILL)');
    await ctx.at(11_000);
    ctx.fleet.start('delivery');
    ctx.note('delivery worker started again');
    await ctx.fleet.waitReady(60_000, 'barcode', 'delivery');
  },
  // A killed delivery process can have sent SubmitReqs whose SUBMITTED it never recorded.
  allowedDuplicates: () => DELIVERY_CONCURRENCY,
};

const killGateway: Scenario = {
  name: 'kill-gateway',
  summary: 'SIGKILL the gateway mid-load, start it again (requests in flight may fail; every Success is delivered)',
  load: LOAD,
  async inject(ctx) {
    await ctx.at(5000);
    await ctx.fleet.kill('gateway');
    ctx.note('gateway killed (SIGKILL)');
    await ctx.at(7000);
    ctx.fleet.start('gateway');
    await ctx.fleet.waitReady(60_000, 'gateway');
    ctx.note('gateway ready again');
  },
  allowedDuplicates: () => 0,
};

const redisRestart: Scenario = {
  name: 'redis-restart',
  summary: "restart the fleet's Redis (its own redis-server, append-only file on as in docker-compose.yml) mid-load, 5 s down",
  load: LOAD,
  async prepare(ctx, urls) {
    const redis = await ThrowawayRedis.start(await freePort());
    ctx.parts.set('redis', redis);
    return { ...urls, redisUrl: redis.url };
  },
  async inject(ctx) {
    const redis = ctx.parts.get('redis') as ThrowawayRedis;
    await ctx.at(5000);
    await redis.stop();
    ctx.note('Redis stopped (SIGTERM)');
    await ctx.at(10_000);
    await redis.restart();
    ctx.note('Redis started again (append-only file loaded)');
  },
  allowedDuplicates: () => 0,
  async cleanUp(ctx) {
    await (ctx.parts.get('redis') as ThrowawayRedis | undefined)?.remove();
  },
};

const postgresOutage: Scenario = {
  name: 'postgres-outage',
  summary: 'PostgreSQL unreachable for 10 s mid-load (a proxy in front of it, cut): E503 in bounded time, never Success for what was not stored; workers pause and resume',
  load: LOAD,
  env: { DB_CONNECT_TIMEOUT_MS: '2000' },
  async prepare(ctx, urls) {
    const target = new URL(urls.databaseUrl);
    const proxy = await CuttableProxy.open(await freePort(), { host: target.hostname, port: Number(target.port || 5432) });
    ctx.parts.set('proxy', proxy);
    target.port = String(proxy.port);
    target.hostname = '127.0.0.1';
    return { ...urls, databaseUrl: target.toString() };
  },
  async inject(ctx) {
    const proxy = ctx.parts.get('proxy') as CuttableProxy;
    await ctx.at(5000);
    await proxy.cut();
    ctx.parts.set('cutAt', ctx.load.elapsed());
    ctx.note('PostgreSQL cut off');
    await ctx.at(15_000);
    await proxy.restore();
    ctx.parts.set('restoredAt', ctx.load.elapsed());
    ctx.note('PostgreSQL reachable again');
  },
  // A submit the MMSC took while PostgreSQL was away keeps trying to record SUBMITTED for 30 s
  // (longer than this outage), so nothing is sent again.
  allowedDuplicates: () => 0,
  async check(ctx) {
    const cutAt = ctx.parts.get('cutAt') as number;
    const restoredAt = ctx.parts.get('restoredAt') as number;
    const during = ctx.load.offered.filter((o) => o.sentAtMs >= cutAt + 500 && o.sentAtMs + o.ms <= restoredAt);
    const problems: string[] = [];
    const slow = during.filter((o) => o.ms > E503_WITHIN_MS);
    if (slow.length > 0) problems.push(`${slow.length} request(s) during the outage waited over ${E503_WITHIN_MS} ms for their answer (longest ${Math.round(Math.max(...slow.map((o) => o.ms)))} ms)`);
    const refusedOther = during.filter((o) => o.outcome.kind === 'refused' && o.outcome.errorCode !== 'E503');
    if (refusedOther.length > 0) problems.push(`${refusedOther.length} request(s) during the outage were refused with another code than E503`);
    const e503 = during.filter((o) => o.outcome.kind === 'refused' && o.outcome.errorCode === 'E503').length;
    if (during.length > 0 && e503 === 0) problems.push('no request during the outage got E503');
    ctx.note(`during the outage: ${during.length} request(s), ${e503} answered E503, longest answer ${Math.round(Math.max(0, ...during.map((o) => o.ms)))} ms`);
    problems.push(...(await refusedButSent(ctx)));
    return problems;
  },
  async cleanUp(ctx) {
    await (ctx.parts.get('proxy') as CuttableProxy | undefined)?.close();
  },
};

/**
 * A request answered E503 whose commit had in fact reached PostgreSQL (the connection broke
 * before the answer came back) must not go out: the partner was told it was not accepted and
 * may send it again. Such messages are withdrawn (FAILED) once the database is back.
 */
async function refusedButSent(ctx: ScenarioContext): Promise<string[]> {
  const refused = ctx.load.offered.filter((o) => o.outcome.kind === 'refused').map((o) => o.barcodeId);
  const stored = await ctx.world.query<{ tracking_id: string; status: string }>(
    'SELECT tracking_id, status::text AS status FROM messages WHERE barcode_value = ANY($1::text[])',
    [refused],
  );
  const taken = await simulatorTakes(ctx.fleet.simulatorOrigin);
  const sent = stored.filter((m) => taken.has(m.tracking_id) || m.status !== 'FAILED');
  ctx.note(`answered E503 but stored by a commit whose answer was lost: ${stored.length}, withdrawn ${stored.length - sent.length}`);
  return sent.length === 0 ? [] : [`${sent.length} message(s) answered E503 went on anyway (${sent.map((m) => `${m.tracking_id} ${m.status}`).join(', ')})`];
}

const mmscFaults: Scenario = {
  name: 'mmsc-faults',
  summary: 'the MMSC answers 4006, then 3001, holds answers past the timeout, drops connections, then recovers; 2xxx for a share of messages (those fail once, with E101)',
  load: LOAD,
  env: { MM7_TIMEOUT_MS: '2000' },
  async inject(ctx) {
    const phases: Array<[number, Record<string, unknown>, string]> = [
      [2000, { statusCode: 4006 }, 'MMSC answers 4006'],
      [4000, { statusCode: 3001 }, 'MMSC answers 3001'],
      [6000, { statusCode: null, timeoutMs: 4000 }, 'MMSC takes messages but holds its answers 4 s (past our 2 s timeout)'],
      [8000, { timeoutMs: 0, dropPercent: 100 }, 'MMSC drops every connection'],
      [10_000, { dropPercent: 0, failurePercent: 10, failureStatusCode: 2002 }, 'MMSC healthy, but refuses 10% with 2002 (permanent)'],
      [15_000, { failurePercent: 0 }, 'MMSC healthy'],
    ];
    for (const [at, settings, what] of phases) {
      await ctx.at(at);
      await simulatorConfig(ctx, settings);
      ctx.note(what);
    }
  },
  // A SubmitReq whose answer was held past our timeout had been taken: its retry is a repeat.
  allowedDuplicates: async (ctx) => (await simulatorStats(ctx)).failuresInjected.timeout,
  expectedFailed: async (ctx) => (await permanentRefusals(ctx)).size,
  async check(ctx, result) {
    const refused = await permanentRefusals(ctx);
    const problems: string[] = [];
    const resent = [...refused.values()].filter((count) => count > 1).length;
    if (resent > 0) problems.push(`${resent} message(s) refused with 2xxx were sent again`);
    if (result.failed !== refused.size) problems.push(`${result.failed} message(s) FAILED where the MMSC refused ${refused.size} with 2xxx`);
    return problems;
  },
};

const postbackReceiverDown: Scenario = {
  name: 'postback-receiver-down',
  summary: "the partner's postback receiver down for 12 s mid-load, then back: every postback arrives, in order per message",
  load: LOAD,
  async inject(ctx) {
    await ctx.at(3000);
    await ctx.receiver.down();
    ctx.note('postback receiver down');
    await ctx.at(15_000);
    await ctx.receiver.up();
    ctx.note('postback receiver back');
  },
  allowedDuplicates: () => 0,
};

/** Queues whose active jobs would be abandoned by a process that stopped without finishing them. */
const WORK_QUEUES = [QueueName.Barcode, QueueName.Delivery, QueueName.DeliveryReport, QueueName.Postback];

const sigtermAll: Scenario = {
  name: 'sigterm-all',
  summary: 'SIGTERM to every service under load: each finishes or hands back its jobs, nothing left in a middle state; restarted, everything is delivered',
  load: LOAD,
  async inject(ctx) {
    await ctx.at(6000);
    ctx.note('SIGTERM to gateway, barcode and delivery');
    const exits = await Promise.all((['gateway', 'barcode', 'delivery'] as const).map(async (name) => ({ name, ...(await ctx.fleet.terminate(name, 30_000)) })));
    ctx.note(`exits: ${exits.map((e) => `${e.name} ${e.code ?? e.signal} in ${e.ms} ms`).join(', ')}`);
    ctx.parts.set('exits', exits);
    ctx.parts.set('abandoned', await abandonedWork(ctx));
    ctx.fleet.start('gateway', 'barcode', 'delivery');
    await ctx.fleet.waitReady(60_000, 'gateway', 'barcode', 'delivery');
    ctx.note('fleet started again');
  },
  allowedDuplicates: () => 0,
  check(ctx) {
    const problems: string[] = [];
    const exits = ctx.parts.get('exits') as Array<{ name: string; code: number | null; signal: string | null; ms: number }>;
    // Nest re-raises SIGTERM after its shutdown hooks, so a clean stop can end by the signal.
    for (const e of exits) if (!(e.code === 0 || e.signal === 'SIGTERM' || e.code === 143)) problems.push(`${e.name} did not stop cleanly (${e.code ?? e.signal})`);
    problems.push(...(ctx.parts.get('abandoned') as string[]));
    return problems;
  },
};

/**
 * With every service stopped: no job may sit in a queue's active list (a stopped worker must have
 * finished or handed it back), and every message in a middle state must have the job or outbox
 * row that carries it on.
 */
async function abandonedWork(ctx: ScenarioContext): Promise<string[]> {
  const connection = redisOptionsFrom(ctx.fleet.redisUrl, 'producer');
  const queues = new Map(WORK_QUEUES.map((name) => [name, new Queue(name, { prefix: ctx.world.queuePrefix, connection })]));
  const problems: string[] = [];
  try {
    for (const [name, queue] of queues) {
      const active = await queue.getActiveCount();
      if (active > 0) problems.push(`${active} job(s) left active in ${name} by stopped workers`);
    }
    const middle = await ctx.world.query<{ tracking_id: string; status: string; outbox: boolean }>(
      `SELECT m.tracking_id, m.status::text AS status,
              EXISTS (SELECT 1 FROM outbox o WHERE o.payload->>'trackingId' = m.tracking_id) AS outbox
       FROM messages m WHERE m.status IN ('ACCEPTED', 'RENDERED')`,
    );
    let orphans = 0;
    for (const message of middle) {
      if (message.outbox) continue;
      const queue = queues.get(message.status === 'ACCEPTED' ? QueueName.Barcode : QueueName.Delivery) as Queue;
      const state = await queue.getJobState(message.tracking_id);
      if (!['waiting', 'delayed', 'prioritized', 'waiting-children'].includes(state)) orphans += 1;
    }
    ctx.note(`after the stop: ${middle.length} message(s) in ACCEPTED/RENDERED, ${orphans} without a job or outbox row to carry them on`);
    if (orphans > 0) problems.push(`${orphans} message(s) left in a middle state with nothing to carry them on`);
  } finally {
    await Promise.all([...queues.values()].map((q) => q.close()));
  }
  return problems;
}

export const SCENARIOS: readonly Scenario[] = [killWorkers, killGateway, redisRestart, postgresOutage, mmscFaults, postbackReceiverDown, sigtermAll];
