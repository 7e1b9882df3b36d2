/**
 * `npm run bench` (FIXED-POINTS.md): the fleet benchmark. Short mode by default (under 90 s with
 * the fleet's start and teardown); `npm run bench -- --long` adds a 10-minute soak.
 *
 * It builds its own world (a throw-away database with the dev seed, a Redis key prefix, free
 * ports), starts the real fleet (MMSC simulator, gateway, barcode, delivery) and a bare ceiling
 * server, and measures in this order: the ceiling, the gateway's accept path, end to end (a burst,
 * then latency at 300/s), end to end with two worker processes each, (long mode) the soak, and
 * renders per CPU-second with the fleet stopped; CPU and memory of every process throughout.
 * Prints a table with the targets and writes bench-results.json at the repository root. Service
 * logs: var/bench/.
 *
 * Environment: REDIS_URL, DATABASE_URL (its server; the bench makes its own database there),
 * BARCODE_PROCESSES / DELIVERY_PROCESSES (the base fleet, default 1), BENCH_SOAK_SECONDS (the
 * soak's length in --long, default 600), BENCH_DEBUG=1 (stack traces of unexpected errors).
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { unreachableServices } from '@mms/config';
import { withDatabase } from '../test/test-database';
import { BenchFleet, WorkerCounts, WorkersNotReady } from './bench/bench-fleet';
import { BenchWorld, createWorld, planWorld, removeWorld } from './bench/bench-world';
import { Budget, cpuSlowdown, renderDurationFor, renderWallS } from './bench/budget';
import { BurstResult, E2eContext, measureBurst, measureLatency } from './bench/e2e';
import { BenchFailure, RunGuard, messageOf } from './bench/failure';
import { stopAllLoads } from './bench/load';
import { LogWatch } from './bench/log-watch';
import { describeMachine, redisUsedMemoryMb } from './bench/machine';
import { BarcodeIds } from './bench/partner-request';
import { quiescePipeline } from './bench/pipeline';
import { ProcessMonitor, postgresOf } from './bench/process-stats';
import { measureRenderFigures } from './bench/renders';
import { BenchResults, checkTargets, renderReport } from './bench/report';
import { BenchMode, BenchSettings, MM7_RATE_FOR_BENCH, WORKER_RESTART_CPU_S, benchSettings, plannedSeconds, shortened } from './bench/settings';
import { simulatorStats } from './bench/simulator';
import { runSoak } from './bench/soak';
import { Throughput, measureThroughput } from './bench/throughput';
import { REPO_ROOT, ServiceName } from './lib/fleet';

const RESULTS_FILE = join(REPO_ROOT, 'bench-results.json');
const LOG_DIR = join(REPO_ROOT, 'var', 'bench');
/** Seconds from this process' start; npm's own start and exit take the rest of the 90. */
const SHORT_BUDGET_S = 86;
/** What stopping the fleet and removing the world take, about. */
const TEARDOWN_S = 4;
const SERVICES: readonly ServiceName[] = ['gateway', 'barcode', 'delivery', 'mmsc-simulator'];

const say = (line: string) => console.log(`[bench] ${line}`);

/** Everything the phases share. */
interface Run {
  readonly mode: BenchMode;
  settings: BenchSettings;
  readonly world: BenchWorld;
  readonly guard: RunGuard;
  readonly logs: LogWatch;
  readonly monitor: ProcessMonitor;
  readonly budget: Budget;
  readonly barcodeIds: BarcodeIds;
  readonly baseWorkers: WorkerCounts;
  readonly results: BenchResults;
  /** Set as soon as they exist, so that teardown finds them whatever failed. */
  fleet?: BenchFleet;
  db?: Client;
  redis?: Redis;
}

/** Connected parts, once setup is done. */
interface Ready {
  readonly fleet: BenchFleet;
  readonly db: Client;
  readonly redis: Redis;
}

function parseMode(args: readonly string[]): BenchMode {
  const unknown = args.filter((arg) => arg !== '--long');
  if (unknown.length > 0) throw new BenchFailure(`unknown argument(s) ${unknown.join(' ')}; usage: npm run bench [-- --long]`);
  return args.includes('--long') ? 'long' : 'short';
}

/** Runs one phase: logs tagged with its name, its wall time and each process' CPU over it. */
async function phase<T>(run: Run, name: string, work: () => Promise<T>): Promise<T> {
  run.logs.phase = name;
  say(`${name} ...`);
  const { result, usage } = await run.guard.run(run.monitor.phase(work));
  run.results.phase_seconds[name] = usage.wall_s;
  (run.results.processes_by_phase ??= {})[name] = usage;
  say(`${name} done in ${usage.wall_s} s`);
  return result;
}

const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);

async function setUp(run: Run, redisUrl: string, loadAtStart: readonly number[]): Promise<Ready> {
  return phase(run, 'setup', async () => {
    const fleet = await BenchFleet.create(run.world, run.settings.fleetEnv, run.logs, run.guard);
    run.fleet = fleet;
    // Neither needs the database: they compile and start while it is built.
    fleet.startCeiling();
    fleet.startSimulator();
    const worldStarted = performance.now();
    await run.guard.run(createWorld(run.world));
    say(`  database ${run.world.databaseName} migrated and seeded in ${seconds(worldStarted)} s`);
    const db = new Client({ connectionString: run.world.databaseUrl });
    run.db = db;
    await db.connect();
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    run.redis = redis;
    redis.on('error', () => undefined);
    const fleetStarted = performance.now();
    fleet.startGateway();
    fleet.startWorkers(run.baseWorkers);
    run.results.machine = await describeMachine(db, redisUrl, loadAtStart);
    await fleet.waitReady(60_000, run.baseWorkers);
    say(`  fleet ready ${seconds(fleetStarted)} s after the gateway and workers were started`);
    return { fleet, db, redis };
  });
}

/**
 * A busy machine can take much of the short run's budget just to start the fleet, and runs the
 * CPU-bound parts (worker restarts, renders) slower: then the measured durations shrink alike, down
 * to 75% with the scaling run kept; below that the scaling run is dropped first (long mode has it).
 */
function fitToBudget(run: Run): void {
  if (run.mode !== 'short') return;
  const slowdown = Math.min(cpuSlowdown(), cpuSlowdown());
  const availableS = run.budget.leftS() - TEARDOWN_S;
  // The share of each measured duration that the settings' plan leaves room for.
  const durationShare = (settings: BenchSettings) => {
    const plan = plannedSeconds(settings, slowdown);
    return (availableS - plan.fixed) / plan.scalable;
  };
  let k = durationShare(run.settings);
  const base = run.settings.scalingProcesses.filter((n) => n === run.baseWorkers.barcode && n === run.baseWorkers.delivery);
  if (k < 0.75 && base.length < run.settings.scalingProcesses.length) {
    const withoutScaling = { ...run.settings, scalingProcesses: base };
    const dropped = run.settings.scalingProcesses.filter((n) => !base.includes(n));
    run.settings = withoutScaling;
    run.results.settings.scaling_processes = base;
    k = durationShare(withoutScaling);
    run.results.notes.push(
      `scaling to ${dropped.join(', ')} processes skipped: on this busy machine (CPU-bound work ${slowdown.toFixed(1)}x slower than on idle cores) ` +
        `restarting the workers would take about ${Math.round(WORKER_RESTART_CPU_S * slowdown)} s of the ${SHORT_BUDGET_S} (npm run bench -- --long has it)`,
    );
  }
  if (k >= 1) return;
  run.settings = shortened(run.settings, k);
  Object.assign(run.results.settings, { load: run.settings.load, e2e: run.settings.e2e, render_duration_ms: run.settings.renderDurationMs, shortened_by: Math.round(k * 100) / 100 });
  const note =
    `the fleet took ${Math.round(run.budget.elapsedS())} s to start and CPU-bound work runs ${slowdown.toFixed(1)}x slower than on idle cores (a busy machine): ` +
    `every measured duration was shortened to ${Math.round(Math.max(k, 0) * 100)}% to fit the ${SHORT_BUDGET_S} s budget`;
  run.results.notes.push(note);
  say(`  ${note}`);
}

async function measureAcceptPath(run: Run, ready: Ready): Promise<{ accept: Throughput; pipelineRate: number }> {
  const { results, settings, barcodeIds, guard } = run;
  const ceiling = await phase(run, 'ceiling', () => measureThroughput(ready.fleet.ceilingOrigin, settings.load, barcodeIds, guard));
  Object.assign(results, {
    ceiling_rps: ceiling.rps,
    ceiling_p50_ms: ceiling.p50_ms,
    ceiling_p99_ms: ceiling.p99_ms,
    ceiling_p99_half_load_ms: ceiling.p99_half_load_ms,
    ceiling_detail: ceiling,
  });
  say(`  ceiling ${ceiling.rps}/s, p99 ${ceiling.p99_ms} ms; at ${ceiling.half_load_rate}/s p99 ${ceiling.p99_half_load_ms} ms`);

  // What reaches the simulator while the gateway runs at full speed: a (low) estimate of the
  // pipeline's rate, which sizes the end-to-end burst so that it can finish within its budget.
  const simulatorBefore = (await simulatorStats(ready.fleet.simulatorOrigin)).accepted;
  const acceptStarted = performance.now();
  let pipelineRate = 0;
  const accept = await phase(run, 'accept', () =>
    measureThroughput(ready.fleet.gatewayOrigin, settings.load, barcodeIds, guard, async () => {
      const delivered = (await simulatorStats(ready.fleet.simulatorOrigin)).accepted - simulatorBefore;
      pipelineRate = delivered / ((performance.now() - acceptStarted) / 1000);
      await quiesce(run, 'before the half-load run');
    }),
  );
  Object.assign(results, {
    accept_rps: accept.rps,
    accept_p50_ms: accept.p50_ms,
    accept_p99_ms: accept.p99_ms,
    accept_ratio: ceiling.rps > 0 ? Math.round((accept.rps / ceiling.rps) * 1000) / 1000 : 0,
    accept_p99_half_load_ms: accept.p99_half_load_ms,
    accept_detail: accept,
    pipeline_mms_per_s_during_accept: Math.round(pipelineRate * 10) / 10,
  });
  say(
    `  gateway ${accept.rps}/s, p99 ${accept.p99_ms} ms; at ${accept.half_load_rate}/s p99 ${accept.p99_half_load_ms} ms; ` +
      `meanwhile ${Math.round(pipelineRate)} MMS/s reached the simulator`,
  );
  return { accept, pipelineRate };
}

function e2eContext(run: Run, ready: Ready): E2eContext {
  return {
    gatewayOrigin: ready.fleet.gatewayOrigin,
    simulatorOrigin: ready.fleet.simulatorOrigin,
    barcodeIds: run.barcodeIds,
    guard: run.guard,
    db: ready.db,
    settings: run.settings.e2e,
  };
}

async function quiesce(run: Run, label: string): Promise<void> {
  const started = performance.now();
  const q = await quiescePipeline(run.world.redisUrl, run.world.queuePrefix, run.guard, 5_000);
  say(`  ${label}: dropped ${q.dropped} queued job(s) in ${seconds(started)} s${q.still_active > 0 ? `; ${q.still_active} still in progress` : ''}`);
}

async function measureEndToEnd(run: Run, ready: Ready, burstSize: number): Promise<BurstResult> {
  const { results } = run;
  const burst = await phase(run, 'e2e-burst', async () => {
    await quiesce(run, 'before the burst');
    return measureBurst(e2eContext(run, ready), burstSize);
  });
  Object.assign(results, { e2e_mms_per_s: burst.mms_per_s, e2e_partial: burst.partial, e2e_burst: burst });
  say(`  ${burst.accepted} accepted, ${burst.delivered} at the simulator: ${burst.mms_per_s} MMS/s${burst.partial ? ' (partial)' : ''}`);

  const latency = await phase(run, 'e2e-latency', async () => {
    await quiesce(run, 'before the latency run');
    return measureLatency(e2eContext(run, ready));
  });
  Object.assign(results, { e2e_p50_ms: latency.p50_ms, e2e_p99_ms: latency.p99_ms, e2e_latency: latency });
  say(
    `  ${latency.accepted} accepted at ${latency.offered_per_s}/s offered: p50 ${latency.p50_ms} ms, p99 ${latency.p99_ms} ms` +
      (latency.missing > 0 ? ` (${latency.missing} NOT SUBMITTED)` : ''),
  );
  if (latency.missing > 0) {
    say(`  !! ${latency.missing} of ${latency.accepted} accepted messages were not SUBMITTED within ${run.settings.e2e.latencyDrainCapS} s after the load`);
  }
  return burst;
}

/** The burst again with n worker processes of each kind (workers restarted; gateway and simulator stay up). */
async function measureScaling(run: Run, ready: Ready, burstSize: number, baseBurst: BurstResult): Promise<void> {
  const { results, budget, settings, guard } = run;
  results.e2e_scaling = {};
  results.e2e_scaling_detail = {};
  const baseSeen = await ready.fleet.workerCounts();
  // The latency run's backlog goes first, so that the machine's load is read without it.
  await quiesce(run, 'before scaling');
  for (const n of settings.scalingProcesses) {
    if (n === run.baseWorkers.barcode && n === run.baseWorkers.delivery) {
      results.e2e_scaling[String(n)] = baseBurst.mms_per_s;
      results.e2e_scaling_detail[String(n)] = { workers_seen: baseSeen, burst: baseBurst };
      continue;
    }
    // What the rest of the run needs: the renders (CPU-bound: slower on a crowded machine; their
    // measurements may shrink to 100 ms of CPU each) and teardown.
    const reserveS = renderWallS(Math.min(100, settings.renderDurationMs), cpuSlowdown()) + TEARDOWN_S;
    if (budget.leftS() - reserveS < WORKER_RESTART_CPU_S * cpuSlowdown() + 5) {
      results.notes.push(`scaling to ${n} processes skipped: the short run had used ${Math.round(budget.elapsedS())} s of its ${SHORT_BUDGET_S}`);
      say(`  ${n} processes: skipped, out of time`);
      continue;
    }
    const scaled = await phase(run, `e2e-${n}-processes`, async () => {
      const restartStarted = performance.now();
      let seen: WorkerCounts;
      try {
        // The restart may take what the run can spare; beyond that it is reported, not waited for.
        seen = await ready.fleet.restartWorkers({ barcode: n, delivery: n }, Math.min(40, budget.leftS() - reserveS - 4) * 1000);
      } catch (error) {
        if (error instanceof WorkersNotReady && guard.failure === undefined) return error.message;
        throw error;
      }
      say(`  workers restarted in ${seconds(restartStarted)} s: BullMQ workers barcode ${seen.barcode}, delivery ${seen.delivery}`);
      await quiesce(run, `with ${n} processes`);
      // The burst gets what is left (a partial figure, flagged, beats a late run).
      const leftS = budget.leftS() - reserveS;
      const caps = { sendS: Math.min(settings.e2e.burstSendCapS, leftS / 2), drainS: Math.min(settings.e2e.burstDrainCapS, leftS / 2) };
      return { workers_seen: seen, burst: await measureBurst(e2eContext(run, ready), burstSize, caps) };
    });
    if (typeof scaled === 'string') {
      results.notes.push(`scaling to ${n} processes not measured: ${scaled}`);
      say(`  ${n} processes: not measured (${scaled})`);
      continue;
    }
    results.e2e_scaling[String(n)] = scaled.burst.mms_per_s;
    results.e2e_scaling_detail[String(n)] = scaled;
    say(`  ${n} processes: ${scaled.burst.mms_per_s} MMS/s${scaled.burst.partial ? ' (partial)' : ''}`);
  }
}

async function soak(run: Run, ready: Ready): Promise<void> {
  const soakSettings = run.settings.soak;
  if (soakSettings === null) return;
  await phase(run, 'soak', async () => {
    const current = ready.fleet.workerSettings;
    if (current.BARCODE_PROCESSES !== String(run.baseWorkers.barcode) || current.DELIVERY_PROCESSES !== String(run.baseWorkers.delivery)) {
      await ready.fleet.restartWorkers(run.baseWorkers, 40_000);
    }
    await quiesce(run, 'before the soak');
    run.results.soak = await runSoak({
      gatewayOrigin: ready.fleet.gatewayOrigin,
      simulatorOrigin: ready.fleet.simulatorOrigin,
      barcodeIds: run.barcodeIds,
      guard: run.guard,
      db: ready.db,
      redis: ready.redis,
      monitor: run.monitor,
      settings: soakSettings,
      progress: (line) => say(`  ${line}`),
    });
  });
}

/** Renders per CPU-second in this process, with the fleet stopped, in what the budget leaves. */
async function renders(run: Run, ready: Ready): Promise<void> {
  await phase(run, 'fleet-stop', () => ready.fleet.stop());
  const durationMs = renderDurationFor(run.budget.leftS() - TEARDOWN_S, cpuSlowdown(), run.settings.renderDurationMs);
  run.results.settings.render_duration_ms = durationMs;
  const figures = await phase(run, 'renders', () => measureRenderFigures(durationMs));
  Object.assign(run.results, figures);
}

async function tearDown(run: Run): Promise<void> {
  const started = performance.now();
  stopAllLoads();
  await run.fleet?.stop().catch(() => undefined);
  await run.monitor.sample();
  run.monitor.stop();
  run.results.processes = run.monitor.usage();
  if (run.redis !== undefined) {
    run.results.settings.redis_used_memory_mb_at_end = await redisUsedMemoryMb(run.redis).catch(() => null);
    run.redis.disconnect();
  }
  await run.db?.end().catch(() => undefined);
  for (const problem of await removeWorld(run.world)) run.results.notes.push(`cleanup: ${problem}`);
  await run.logs.close();
  run.results.logs = run.logs.summary();
  run.results.phase_seconds.teardown = Math.round((performance.now() - started) / 10) / 100;
  run.results.phase_seconds.total = Math.round(run.budget.elapsedS() * 100) / 100;
}

async function main(): Promise<number> {
  const loadAtStart = loadavg();
  if (existsSync(join(REPO_ROOT, '.env'))) process.loadEnvFile(join(REPO_ROOT, '.env'));
  const mode = parseMode(process.argv.slice(2));
  const settings = benchSettings(mode, process.env);
  const serverUrl = withDatabase(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres', 'postgres');
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

  const unreachable = await unreachableServices(serverUrl, redisUrl);
  if (unreachable.length > 0) throw new BenchFailure(`the bench needs Redis and PostgreSQL:\n${unreachable.join('\n')}`);

  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const world = planWorld(runId, serverUrl, redisUrl);
  const baseWorkers: WorkerCounts = { barcode: Number(settings.fleetEnv.BARCODE_PROCESSES), delivery: Number(settings.fleetEnv.DELIVERY_PROCESSES) };
  const run: Run = {
    mode,
    settings,
    world,
    guard: new RunGuard(),
    logs: new LogWatch(LOG_DIR),
    monitor: new ProcessMonitor(500),
    budget: new Budget(mode === 'short' ? SHORT_BUDGET_S : null),
    barcodeIds: new BarcodeIds(runId),
    baseWorkers,
    results: {
      timestamp: new Date().toISOString(),
      mode,
      complete: false,
      settings: {
        load: settings.load,
        e2e: settings.e2e,
        scaling_processes: settings.scalingProcesses,
        render_duration_ms: settings.renderDurationMs,
        soak: settings.soak,
        fleet_env: settings.fleetEnv,
        base_workers: baseWorkers,
        request: 'examples/sendMMSBarcode.request.xml with a distinct BARCODEID per request, POSTed as the xml field of application/x-www-form-urlencoded',
        database: world.databaseName,
        queue_prefix: world.queuePrefix,
        logs: LOG_DIR,
      },
      phase_seconds: {},
      notes: [
        `MM7_MAX_PER_SECOND=${MM7_RATE_FOR_BENCH} (the most the delivery config accepts): the default 50 is a carrier's agreed rate and would cap end to end at 50 MMS/s`,
        'the MMSC simulator answers at once (no latency or failure injection) and sends no delivery reports (MMSC_SIM_DLR_WHEN=never): the throughput phases measure the path up to SUBMITTED',
        'before the gateway\'s half-load run and each end-to-end phase, the jobs still queued by the previous run are dropped (their messages stay ACCEPTED in the throw-away database; RECONCILE_AFTER_MS is raised so they are not revived)',
        'latencies are per answer, leaving out each connection\'s first (TCP connect); "half load" and the other rated runs are paced: each connection is its own autocannon instance with its share of the rate, the connections staggered over the second (autocannon overallRate fires every connection at the same instant each second)',
        'postgres CPU and memory: the server processes plus the backends of the bench database only; redis: the whole server (shared with anything else using it)',
      ],
    },
  };
  const { results, monitor, guard } = run;

  let interrupted = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted += 1;
    if (interrupted > 1) process.exit(130);
    say(`${signal}: stopping and cleaning up (again to quit at once)`);
    guard.abort(`interrupted (${signal})`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  for (const name of SERVICES) monitor.addGroup(name, { kind: 'tree', roots: () => run.fleet?.rootPids(name) ?? [] });
  monitor.addGroup('ceiling-server', { kind: 'tree', roots: () => run.fleet?.rootPids('ceiling-server') ?? [] });
  monitor.addGroup('bench', { kind: 'pid', pid: process.pid });
  monitor.addGroup('postgres', { kind: 'match', comm: 'postgres', cmdline: postgresOf(world.databaseName) });
  monitor.addGroup('redis', { kind: 'match', comm: 'redis-server' });

  try {
    await monitor.start();
    const ready = await setUp(run, redisUrl, loadAtStart);
    fitToBudget(run);
    const { accept, pipelineRate } = await measureAcceptPath(run, ready);
    const e2e = run.settings.e2e;
    const burstSize = Math.round(Math.min(e2e.burstMax, Math.max(e2e.burstMin, Math.min(accept.rps, pipelineRate) * e2e.burstSeconds)));
    const burst = await measureEndToEnd(run, ready, burstSize);
    await measureScaling(run, ready, burstSize, burst);
    await soak(run, ready);
    await renders(run, ready);
    results.complete = true;
  } catch (error) {
    results.failure = messageOf(guard.failure ?? error);
    if (!(error instanceof BenchFailure) && guard.failure === undefined && process.env.BENCH_DEBUG === '1' && error instanceof Error) {
      console.error(error.stack);
    }
  } finally {
    await tearDown(run);
  }
  results.targets = checkTargets(results);
  writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
  console.log(renderReport(results));
  console.log(`\nwrote ${RESULTS_FILE}; service logs in ${LOG_DIR}/`);
  if (results.failure !== undefined) {
    console.error(`\nnpm run bench: ${results.failure}`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`\nnpm run bench: ${messageOf(error)}`);
    process.exit(1);
  },
);
