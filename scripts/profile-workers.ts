/**
 * `node -r @swc-node/register scripts/profile-workers.ts`: the two workers and the MMSC simulator
 * under load, render job to SUBMITTED, with a CPU profile of each process.
 *
 *   - a throw-away database (migrated, the dev seed world), dropped afterwards; its own queue prefix
 *   - PROFILE_MESSAGES (2000) ACCEPTED messages of the demo account, their render jobs in one addBulk
 *   - PROFILE_BARCODE_PROCESSES / PROFILE_DELIVERY_PROCESSES (1 each) worker processes and one
 *     simulator process (no delivery reports), each a child of this script (the same app modules
 *     `npm start` runs), with MM7_MAX_PER_SECOND at its maximum (the connector's rate is not measured)
 *   - prints messages/s from the first render job to the last SUBMITTED, per-process CPU seconds,
 *     latency quantiles (ACCEPTED event to SUBMITTED event), and with PROFILE_CPU=1 (default) the
 *     top self-time functions of each process during the load (the inspector's profiler; files under
 *     var/profiles/<run>/, for Chrome DevTools).
 *
 * With `--fleet`: the real fleet instead (scripts/lib/fleet.ts: simulator, gateway, barcode and
 * delivery as `npm start` runs them, PROFILE_PROCESSES worker processes of each), PROFILE_REQUESTS
 * (5000) partner requests through the gateway at once (autocannon), timed until the simulator's
 * `accepted` count has them all; then PROFILE_RATE (300) requests/s for PROFILE_RATE_SECONDS (10),
 * with accepted -> SUBMITTED latency quantiles.
 *
 * Figures move with whatever else runs on the machine: compare runs side by side, as ratios.
 */
import 'reflect-metadata';
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import autocannon from 'autocannon';
import { Queue } from 'bullmq';
import { Client } from 'pg';
import { BARCODE_RENDERER, MatrixPngRenderer } from '@mms/barcode-render';
import { createLogger } from '@mms/config';
import { JobName, QueueName } from '@mms/contracts';
import { createPrismaClient, acceptMessages, type NewMessage } from '@mms/db';
import { jobOptionsFor, redisOptionsFrom } from '@mms/queue';
import { BarcodeAppModule } from '../apps/barcode/src/app.module';
import { loadBarcodeConfig } from '../apps/barcode/src/config/barcode.config';
import { DeliveryAppModule } from '../apps/delivery/src/app.module';
import { loadDeliveryConfig } from '../apps/delivery/src/config/delivery.config';
import { createSimulatorApp } from '../apps/mmsc-simulator/src/bootstrap';
import { loadSimulatorConfig } from '../apps/mmsc-simulator/src/config/simulator.config';
import { DEMO_DATABASE_ID, DEMO_TEMPLATE_ID, seedDevWorld } from '../prisma/seed-world';
import { createMigratedDatabase, dropDatabase } from '../test/test-database';
import { newMessageFixture } from '../test/fixtures';
import { freePort } from '../test/free-port';
import { type Fleet, REPO_ROOT, startFleet, waitForHttp } from './lib/fleet';

type Role = 'barcode' | 'delivery' | 'simulator';
type ToParent = { kind: 'ready'; port?: number } | { kind: 'stopped'; cpuMicros: number };

// ---------------------------------------------------------------------------------------------
// Child: one app, profiled and stopped on the parent's messages.
// ---------------------------------------------------------------------------------------------
async function child(role: Role): Promise<void> {
  const send = (message: ToParent) => process.send?.(message);
  let app: INestApplicationContext;
  if (role === 'simulator') {
    const sim = await createSimulatorApp(loadSimulatorConfig({ ...process.env, MMSC_SIM_PORT: '0', MMSC_SIM_DLR_WHEN: 'never' }));
    await sim.listen({ port: 0, host: '127.0.0.1' });
    app = sim;
    send({ kind: 'ready', port: (sim.getHttpServer().address() as AddressInfo).port });
  } else {
    let module =
      role === 'barcode' ? BarcodeAppModule.forRoot(loadBarcodeConfig(process.env)) : DeliveryAppModule.forRoot(loadDeliveryConfig(process.env));
    // PROFILE_RENDERER=matrix: the renderer of libs/barcode-render's MatrixPngRenderer instead of the app's own choice.
    if (process.env.PROFILE_RENDERER === 'matrix') {
      module = { ...module, providers: [...(module.providers ?? []), { provide: BARCODE_RENDERER, useClass: MatrixPngRenderer }] };
    }
    app = await NestFactory.createApplicationContext(module, { logger: createLogger(role, process.env.LOG_LEVEL ?? 'log', 'json') });
    await app.init();
    send({ kind: 'ready' });
  }
  // The profile covers the load only (not start-up): started and stopped by the parent.
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result))));
  let cpuAtStart = process.cpuUsage();
  process.on('message', (message: { kind: string; file?: string }) => {
    if (message.kind === 'start') {
      cpuAtStart = process.cpuUsage();
      if (message.file !== undefined) void post('Profiler.enable').then(() => post('Profiler.start'));
    }
    if (message.kind === 'cpu') {
      const { user, system } = process.cpuUsage(cpuAtStart);
      const file = message.file;
      const written =
        file === undefined
          ? Promise.resolve()
          : post('Profiler.stop').then((result) => writeFileSync(file, JSON.stringify((result as { profile: unknown }).profile)));
      void written.then(() => send({ kind: 'stopped', cpuMicros: user + system }));
    }
    if (message.kind === 'stop') {
      void app.close().finally(() => process.exit(0));
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Parent
// ---------------------------------------------------------------------------------------------
interface Running {
  readonly role: Role;
  readonly name: string;
  readonly process: ChildProcess;
}

const MESSAGES = Number(process.env.PROFILE_MESSAGES ?? 2000);
const BARCODE_PROCESSES = Number(process.env.PROFILE_BARCODE_PROCESSES ?? 1);
const DELIVERY_PROCESSES = Number(process.env.PROFILE_DELIVERY_PROCESSES ?? 1);
const CPU_PROFILE = (process.env.PROFILE_CPU ?? '1') !== '0';

function start(role: Role, name: string, env: NodeJS.ProcessEnv): Running {
  const execArgv = ['-r', '@swc-node/register'];
  const proc = fork(__filename, ['--child', role], {
    cwd: REPO_ROOT,
    env: { ...env, SWC_NODE_PROJECT: join(REPO_ROOT, 'tsconfig.json') },
    execArgv,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return { role, name, process: proc };
}

function next<T extends ToParent['kind']>(running: Running, kind: T): Promise<Extract<ToParent, { kind: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: ToParent) => {
      if (message.kind !== kind) return;
      running.process.off('message', onMessage);
      resolve(message as Extract<ToParent, { kind: T }>);
    };
    running.process.on('message', onMessage);
    running.process.once('exit', (code) => reject(new Error(`${running.name} exited (${code}) before ${kind}`)));
  });
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** Self time per function of a .cpuprofile, top n, as percentages of the busy (not idle) samples. */
function topSelf(file: string, n: number): string[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[] };
  const byNode = new Map<number, ProfileNode>(profile.nodes.map((node) => [node.id, node]));
  const counts = new Map<string, number>();
  for (const id of profile.samples) {
    const frame = byNode.get(id)?.callFrame;
    if (frame === undefined) continue;
    const where = frame.url === '' ? '' : ` ${relative(REPO_ROOT, frame.url.replace(/^file:\/\//, ''))}:${frame.lineNumber + 1}`;
    const key = `${frame.functionName || '(anonymous)'}${where}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const total = [...counts.entries()].filter(([key]) => key !== '(idle)').reduce((sum, [, count]) => sum + count, 0);
  counts.delete('(idle)');
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([key, count]) => `${((count / total) * 100).toFixed(1).padStart(5)}%  ${key}`);
}

async function parent(): Promise<void> {
  const serverUrl = process.env.TEST_DATABASE_SERVER_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const databaseName = `mmsgw_profile_${runId}`;
  const prefix = `profile-${runId}`;
  const profileDir = join(REPO_ROOT, 'var', 'profiles', runId);
  mkdirSync(profileDir, { recursive: true });

  const databaseUrl = await createMigratedDatabase(serverUrl, databaseName);
  const running: Running[] = [];
  const connection = redisOptionsFrom(redisUrl, 'producer');
  const barcodeQueue = new Queue(QueueName.Barcode, { prefix, connection });
  const deliveryQueue = new Queue(QueueName.Delivery, { prefix, connection });
  const pg = new Client({ connectionString: databaseUrl });
  try {
    const prisma = createPrismaClient(databaseUrl, 2);
    await seedDevWorld(prisma, null).finally(() => prisma.$disconnect());
    await pg.connect();
    await pg.query(`UPDATE accounts SET credits = 100000000 WHERE name = 'demo'`);
    const { rows } = await pg.query<{ id: number }>(`SELECT id FROM accounts WHERE name = 'demo'`);
    const accountId = (rows[0] as { id: number }).id;

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'log',
      LOG_FORMAT: 'json',
    };
    const simulator = start('simulator', 'simulator', env);
    running.push(simulator);
    const { port } = await next(simulator, 'ready');
    const workerEnv = { ...env, MM7_URL: `http://127.0.0.1:${port}/mm7`, MM7_MAX_PER_SECOND: '10000' };
    for (let i = 0; i < BARCODE_PROCESSES; i += 1) running.push(start('barcode', `barcode-${i + 1}`, workerEnv));
    for (let i = 0; i < DELIVERY_PROCESSES; i += 1) running.push(start('delivery', `delivery-${i + 1}`, workerEnv));
    await Promise.all(running.filter((r) => r.role !== 'simulator').map((r) => next(r, 'ready')));

    // The messages as the gateway leaves them (the ledger's accept statement), in batches.
    const trackingIds: string[] = [];
    for (let offset = 0; offset < MESSAGES; offset += 500) {
      const batch: NewMessage[] = Array.from({ length: Math.min(500, MESSAGES - offset) }, (_, i) =>
        newMessageFixture(accountId, {
          templateId: DEMO_TEMPLATE_ID,
          databaseId: DEMO_DATABASE_ID,
          barcodeValue: `Ticket_${runId}_${offset + i}`,
          toNumber: `1650${String(2_000_000 + offset + i).padStart(7, '0')}`,
          via: 'profile-workers',
        }),
      );
      const outcomes = await acceptMessages(pg, batch, { queue: QueueName.Barcode, jobName: JobName.RenderBarcode });
      for (const outcome of outcomes) if (outcome.accepted) trackingIds.push(outcome.trackingId);
    }
    await pg.query('DELETE FROM outbox');

    const profileOf = (r: Running) => (CPU_PROFILE ? join(profileDir, `${r.name}.cpuprofile`) : undefined);
    for (const r of running) r.process.send({ kind: 'start', file: profileOf(r) });
    const started = Date.now();
    await barcodeQueue.addBulk(
      trackingIds.map((trackingId) => ({ name: JobName.RenderBarcode, data: { trackingId }, opts: jobOptionsFor(JobName.RenderBarcode, trackingId) })),
    );
    const enqueuedMs = Date.now() - started;
    let last = '';
    let lastPrinted = 0;
    for (;;) {
      const { rows: counts } = await pg.query<{ status: string; n: number }>(`SELECT status::text, count(*)::int AS n FROM messages GROUP BY 1`);
      const by = Object.fromEntries(counts.map((c) => [c.status, c.n]));
      const done = (by.SUBMITTED ?? 0) + (by.FAILED ?? 0);
      const line = JSON.stringify(by);
      if (line !== last && Date.now() - lastPrinted > 2000) {
        process.stderr.write(`${((Date.now() - started) / 1000).toFixed(1)} s ${line}\n`);
        lastPrinted = Date.now();
      }
      last = line;
      if (done >= trackingIds.length) break;
      if (Date.now() - started > 600_000) throw new Error('not done after 10 minutes');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const cpu = new Map<string, number>();
    await Promise.all(
      running.map(async (r) => {
        const reply = next(r, 'stopped');
        r.process.send({ kind: 'cpu', file: profileOf(r) });
        cpu.set(r.name, (await reply).cpuMicros / 1e6);
      }),
    );

    const { rows: timing } = await pg.query<{ first_rendered: Date; last_submitted: Date; failed: number }>(
      `SELECT min(e.at) FILTER (WHERE e.status = 'RENDERED') AS first_rendered,
              max(e.at) FILTER (WHERE e.status = 'SUBMITTED') AS last_submitted,
              count(*) FILTER (WHERE e.status = 'FAILED')::int AS failed
       FROM message_events e`,
    );
    const { rows: latencies } = await pg.query<{ ms: number }>(
      `SELECT extract(epoch FROM s.at - r.at) * 1000 AS ms
       FROM message_events s JOIN message_events r ON r.message_id = s.message_id AND r.status = 'RENDERED'
       WHERE s.status = 'SUBMITTED' ORDER BY 1`,
    );
    const t = timing[0] as { first_rendered: Date; last_submitted: Date; failed: number };
    const elapsedS = (Date.now() - started) / 1000;
    const sorted = latencies.map((l) => Number(l.ms));
    const cpuTotal = [...cpu.values()].reduce((a, b) => a + b, 0);
    console.log(`\n${trackingIds.length} messages, barcode x${BARCODE_PROCESSES}, delivery x${DELIVERY_PROCESSES} (render jobs enqueued in ${enqueuedMs} ms)`);
    console.log(`  render job -> SUBMITTED:  ${(trackingIds.length / elapsedS).toFixed(0)} msgs/s over ${elapsedS.toFixed(1)} s`);
    console.log(`  first RENDERED -> last SUBMITTED: ${((t.last_submitted.getTime() - t.first_rendered.getTime()) / 1000).toFixed(1)} s; failed ${t.failed}`);
    console.log(`  RENDERED -> SUBMITTED ms: p50 ${quantile(sorted, 0.5).toFixed(0)}, p99 ${quantile(sorted, 0.99).toFixed(0)}`);
    console.log(`  CPU seconds (busy share of the run): ${[...cpu.entries()].map(([name, s]) => `${name} ${s.toFixed(1)} (${((s / elapsedS) * 100).toFixed(0)}%)`).join(', ')}; msgs per CPU-second of these: ${(trackingIds.length / cpuTotal).toFixed(0)}`);
  } finally {
    await Promise.all(
      running.map(async (r) => {
        if (r.process.exitCode !== null) return;
        const exited = new Promise((resolve) => r.process.once('exit', resolve));
        r.process.send({ kind: 'stop' });
        const timer = setTimeout(() => r.process.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }),
    );
    await pg.end().catch(() => undefined);
    await barcodeQueue.obliterate({ force: true }).catch(() => undefined);
    await deliveryQueue.obliterate({ force: true }).catch(() => undefined);
    await barcodeQueue.close();
    await deliveryQueue.close();
    await dropDatabase(serverUrl, databaseName);
  }
  if (CPU_PROFILE) {
    for (const file of readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile')).sort()) {
      console.log(`\n${file} (top self time):`);
      for (const line of topSelf(join(profileDir, file), Number(process.env.PROFILE_TOP ?? 25))) console.log(`  ${line}`);
    }
    console.log(`\nprofiles: ${relative(REPO_ROOT, profileDir)}/ (open in Chrome DevTools, Performance)`);
  }
}


// ---------------------------------------------------------------------------------------------
// Fleet mode (`--fleet`): the real fleet as `npm start` runs it, loaded through the gateway.
// ---------------------------------------------------------------------------------------------
const PARTNER_API_PATH = '/API/wxml/1.3/index.php';
const EXAMPLE = readFileSync(join(REPO_ROOT, 'examples', 'sendMMSBarcode.request.xml'), 'utf8');

/** The docs' example request with a BARCODEID of its own (every request renders). */
function partnerForm(barcodeId: string): string {
  return new URLSearchParams({ xml: EXAMPLE.replace(/<BARCODEID>[^<]*<\/BARCODEID>/, `<BARCODEID>${barcodeId}</BARCODEID>`) }).toString();
}

async function simulatorAccepted(base: string): Promise<number> {
  const response = await fetch(`${base}/api/stats`);
  return ((await response.json()) as { accepted: number }).accepted;
}

/** Fires `amount` requests (or `rate` per second for `seconds`) at the gateway; returns non-Success answers. */
async function load(gatewayUrl: string, runId: string, options: { amount?: number; rate?: number; seconds?: number }): Promise<number> {
  let n = 0;
  let refused = 0;
  const result = await autocannon({
    url: `${gatewayUrl}${PARTNER_API_PATH}`,
    connections: options.rate === undefined ? 64 : 32,
    pipelining: 1,
    ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.seconds ?? 10, overallRate: options.rate }),
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        setupRequest: (request) => ({ ...request, body: partnerForm(`Fleet_${runId}_${(n += 1)}`) }),
        onResponse: (status, body) => {
          if (status !== 200 || !body.includes('Success')) refused += 1;
        },
      },
    ],
  });
  return refused + result.errors + result.timeouts;
}

/** CPU seconds (user + system) of a process and every descendant alive now (Linux /proc). */
function cpuSecondsOfTree(pid: number): number {
  const ticks = (p: number) => {
    try {
      const fields = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      return Number(fields[11]) + Number(fields[12]);
    } catch {
      return 0;
    }
  };
  const children = (p: number): number[] => {
    try {
      return readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  };
  let total = 0;
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop() as number;
    total += ticks(p);
    stack.push(...children(p));
  }
  return total / 100;
}

async function fleet(): Promise<void> {
  const serverUrl = process.env.TEST_DATABASE_SERVER_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const databaseName = `mmsgw_fleet_${runId}`;
  const databaseUrl = await createMigratedDatabase(serverUrl, databaseName);
  const pg = new Client({ connectionString: databaseUrl });
  const [gatewayPort, opsPort, simulatorPort] = [await freePort(), await freePort(), await freePort()];
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const gatewayOpsUrl = `http://127.0.0.1:${opsPort}`;
  const simulatorUrl = `http://127.0.0.1:${simulatorPort}`;
  const processes = String(process.env.PROFILE_PROCESSES ?? '1');
  const amount = Number(process.env.PROFILE_REQUESTS ?? 5000);
  let running: Fleet | undefined;
  try {
    const prisma = createPrismaClient(databaseUrl, 2);
    await seedDevWorld(prisma, null).finally(() => prisma.$disconnect());
    await pg.connect();
    await pg.query(`UPDATE accounts SET credits = 100000000 WHERE name = 'demo'`);
    const output: string[] = [];
    running = startFleet({
      services: ['mmsc-simulator', 'gateway', 'barcode', 'delivery'],
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        REDIS_URL: redisUrl,
        QUEUE_PREFIX: `fleet-${runId}`,
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'log',
        LOG_FORMAT: 'json',
        GATEWAY_PORT: String(gatewayPort),
        OPS_PORT: String(opsPort),
        MMSC_SIM_PORT: String(simulatorPort),
        MMSC_SIM_DLR_WHEN: 'never',
        MMSC_SIM_MAX_MESSAGES: '1000',
        MM7_URL: `${simulatorUrl}/mm7`,
        MM7_MAX_PER_SECOND: '10000',
        BARCODE_PROCESSES: processes,
        DELIVERY_PROCESSES: processes,
      },
      onLine: (service, line) => {
        if (/"level":"(error|fatal)"/.test(line)) output.push(`${service}: ${line}`);
      },
      onUnexpectedExit: (service, code) => output.push(`${service} exited (${code})`),
    });
    await Promise.all([waitForHttp(`${gatewayOpsUrl}/health/ready`, 60_000), waitForHttp(`${simulatorUrl}/api/stats`, 60_000)]);
    // Until both workers work their queues (their start-up is not part of the figure).
    await load(gatewayUrl, `${runId}w`, { amount: 200 });
    for (let waited = 0; (await simulatorAccepted(simulatorUrl)) < 200; waited += 100) {
      if (waited > 120_000) throw new Error(`the warm-up did not reach the simulator\n${output.slice(-10).join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    // 1. A burst: how fast accepted requests reach the MMSC.
    const before = await simulatorAccepted(simulatorUrl);
    const services = running.services;
    const cpuBefore = services.map((service) => cpuSecondsOfTree(service.process.pid as number));
    const started = Date.now();
    const samples: Array<[number, number]> = [];
    const firing = load(gatewayUrl, runId, { amount });
    let acceptedAt = 0;
    const refused = await firing.then((r) => {
      acceptedAt = Date.now() - started;
      return r;
    });
    for (;;) {
      const reached = (await simulatorAccepted(simulatorUrl)) - before;
      samples.push([Date.now() - started, reached]);
      if (reached >= amount - refused) break;
      if (Date.now() - started > 600_000) throw new Error(`only ${reached} of ${amount} reached the simulator`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const doneMs = (samples.at(-1) as [number, number])[0];
    const cpu = services.map((service, i) => `${service.name} ${(cpuSecondsOfTree(service.process.pid as number) - (cpuBefore[i] as number)).toFixed(1)}`);
    console.log(`\nfleet, BARCODE_PROCESSES = DELIVERY_PROCESSES = ${processes}`);
    console.log(`  burst: ${amount} requests (${refused} refused) answered in ${(acceptedAt / 1000).toFixed(1)} s (${(amount / (acceptedAt / 1000)).toFixed(0)}/s);` +
      ` all at the simulator after ${(doneMs / 1000).toFixed(1)} s: ${((amount - refused) / (doneMs / 1000)).toFixed(0)} MMS/s end to end`);

    console.log(`  CPU seconds during the burst: ${cpu.join(', ')} (the load generator, PostgreSQL and Redis not counted)`);

    // 2. Latency at a steady offered rate: request accepted -> SUBMITTED, from the database's clock.
    const rate = Number(process.env.PROFILE_RATE ?? 300);
    const seconds = Number(process.env.PROFILE_RATE_SECONDS ?? 10);
    const since = (await pg.query<{ now: Date }>(`SELECT now() AT TIME ZONE 'UTC' AS now`)).rows[0]?.now;
    const refusedAtRate = await load(gatewayUrl, `${runId}r`, { rate, seconds });
    const { rows } = await pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM messages WHERE created_at >= $1`, [since]);
    const offered = rows[0]?.n ?? 0;
    for (let waited = 0; ; waited += 200) {
      const { rows: left } = await pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM messages WHERE created_at >= $1 AND status IN ('ACCEPTED', 'RENDERED')`, [since]);
      if ((left[0]?.n ?? 0) === 0 || waited > 120_000) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const { rows: latency } = await pg.query<{ ms: number }>(
      `SELECT extract(epoch FROM e.at - m.created_at) * 1000 AS ms FROM messages m JOIN message_events e ON e.message_id = m.id AND e.status = 'SUBMITTED'
       WHERE m.created_at >= $1 ORDER BY 1`,
      [since],
    );
    const ms = latency.map((l) => Number(l.ms));
    console.log(`  at ${rate}/s offered for ${seconds} s: ${offered} accepted (${refusedAtRate} refused), ${ms.length} SUBMITTED;` +
      ` accepted -> SUBMITTED p50 ${quantile(ms, 0.5).toFixed(0)} ms, p99 ${quantile(ms, 0.99).toFixed(0)} ms, max ${(ms.at(-1) ?? Number.NaN).toFixed(0)} ms`);
    if (output.length > 0) console.log(`  errors in the logs:\n${output.slice(-10).join('\n')}`);
  } finally {
    await running?.stop(15_000);
    await pg.end().catch(() => undefined);
    await dropDatabase(serverUrl, databaseName);
  }
}

const roleIndex = process.argv.indexOf('--child');
const run = roleIndex >= 0 ? child(process.argv[roleIndex + 1] as Role) : process.argv.includes('--fleet') ? fleet() : parent();
run.catch((error: unknown) => {
  console.error(`profile-workers: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
