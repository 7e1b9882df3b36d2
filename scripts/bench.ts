/**
 * `npm run bench` (FIXED-POINTS.md): the fleet benchmark. Short mode by default (under 90 s with
 * the fleet's start and teardown); `npm run bench -- --long` adds a 10-minute soak.
 *
 * It builds its own world (a throw-away database with the dev seed, a Redis key prefix, free
 * ports), starts the real fleet (MMSC simulator, gateway, barcode, delivery) and a bare ceiling
 * server, and measures in this order: the ceiling, the gateway's accept path, end to end (a burst,
 * then latency at 300/s), end to end with two worker processes each, renders per CPU-second, and
 * (long mode) the soak; CPU and memory of every process throughout. Prints a table with the
 * targets and writes bench-results.json at the repository root. Service logs: var/bench/.
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
import { createWorld, planWorld, removeWorld } from './bench/bench-world';
import { E2eContext, measureBurst, measureLatency } from './bench/e2e';
import { BenchFailure, RunGuard, messageOf } from './bench/failure';
import { stopAllLoads } from './bench/load';
import { LogWatch } from './bench/log-watch';
import { describeMachine, redisUsedMemoryMb } from './bench/machine';
import { BarcodeIds } from './bench/partner-request';
import { quiescePipeline } from './bench/pipeline';
import { ProcessMonitor, postgresOf } from './bench/process-stats';
import { loadMeasureRenders, measureRenderFigures } from './bench/renders';
import { BenchResults, checkTargets, renderReport } from './bench/report';
import { BenchMode, MM7_RATE_FOR_BENCH, benchSettings, plannedSeconds, renderBudgetS, shortened } from './bench/settings';
import { simulatorStats } from './bench/simulator';
import { runSoak } from './bench/soak';
import { measureThroughput } from './bench/throughput';
import { REPO_ROOT, ServiceName } from './lib/fleet';

const RESULTS_FILE = join(REPO_ROOT, 'bench-results.json');
const LOG_DIR = join(REPO_ROOT, 'var', 'bench');
/** Short mode ends within this many seconds of its start (the issue's limit is 90 with npm's own start). */
const SHORT_BUDGET_S = 86;
const SERVICES: readonly ServiceName[] = ['gateway', 'barcode', 'delivery', 'mmsc-simulator'];

const say = (line: string) => console.log(`[bench] ${line}`);

function parseMode(args: readonly string[]): BenchMode {
  const unknown = args.filter((arg) => arg !== '--long');
  if (unknown.length > 0) throw new BenchFailure(`unknown argument(s) ${unknown.join(' ')}; usage: npm run bench [-- --long]`);
  return args.includes('--long') ? 'long' : 'short';
}

async function main(): Promise<number> {
  const started = performance.now();
  const loadAtStart = loadavg();
  if (existsSync(join(REPO_ROOT, '.env'))) process.loadEnvFile(join(REPO_ROOT, '.env'));
  const mode = parseMode(process.argv.slice(2));
  let settings = benchSettings(mode, process.env);
  const serverUrl = withDatabase(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres', 'postgres');
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

  const unreachable = await unreachableServices(serverUrl, redisUrl);
  if (unreachable.length > 0) throw new BenchFailure(`the bench needs Redis and PostgreSQL:\n${unreachable.join('\n')}`);

  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const world = planWorld(runId, serverUrl, redisUrl);
  const guard = new RunGuard();
  const logs = new LogWatch(LOG_DIR);
  const barcodeIds = new BarcodeIds(runId);
  const monitor = new ProcessMonitor(500);
  const baseWorkers: WorkerCounts = { barcode: Number(settings.fleetEnv.BARCODE_PROCESSES), delivery: Number(settings.fleetEnv.DELIVERY_PROCESSES) };
  let fleet: BenchFleet | undefined;
  let db: Client | undefined;
  let redis: Redis | undefined;

  const results: BenchResults = {
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
      'before each end-to-end phase the jobs still queued by the previous phase are dropped (their messages stay ACCEPTED in the throw-away database; RECONCILE_AFTER_MS is raised so they are not revived)',
      'latencies are per answer; "half load" and the rated runs are paced: each connection is its own autocannon instance with its share of the rate, the connections staggered over the second (autocannon overallRate fires every connection at the same instant each second)',
      'postgres CPU and memory: the server processes plus the backends of the bench database only; redis: the whole server (shared with anything else using it)',
    ],
  };

  let interrupted = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted += 1;
    if (interrupted > 1) process.exit(130);
    say(`${signal}: stopping and cleaning up (again to quit at once)`);
    guard.abort(`interrupted (${signal})`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const phase = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    logs.phase = name;
    say(`${name} ...`);
    const { result, usage } = await guard.run(monitor.phase(work));
    results.phase_seconds[name] = usage.wall_s;
    (results.processes_by_phase ??= {})[name] = usage;
    say(`${name} done in ${usage.wall_s} s`);
    return result;
  };
  const elapsedS = () => (performance.now() - started) / 1000;

  for (const name of SERVICES) monitor.addGroup(name, { kind: 'tree', roots: () => fleet?.rootPids(name) ?? [] });
  monitor.addGroup('ceiling-server', { kind: 'tree', roots: () => fleet?.rootPids('ceiling-server') ?? [] });
  monitor.addGroup('bench', { kind: 'pid', pid: process.pid });
  monitor.addGroup('postgres', { kind: 'match', comm: 'postgres', cmdline: postgresOf(world.databaseName) });
  monitor.addGroup('redis', { kind: 'match', comm: 'redis-server' });

  try {
    await monitor.start();
    const { f, pg, redisClient } = await phase('setup', async () => {
      const benchFleet = await BenchFleet.create(world, settings.fleetEnv, logs, guard);
      fleet = benchFleet;
      // Neither needs the database: they compile and start while it is built.
      benchFleet.startCeiling();
      benchFleet.startSimulator();
      const worldStarted = performance.now();
      await guard.run(createWorld(world));
      say(`  database ${world.databaseName} migrated and seeded in ${((performance.now() - worldStarted) / 1000).toFixed(1)} s`);
      const client = new Client({ connectionString: world.databaseUrl });
      db = client;
      await client.connect();
      const redisClient = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
      redis = redisClient;
      redisClient.on('error', () => undefined);
      benchFleet.startGateway();
      benchFleet.startWorkers(baseWorkers);
      results.machine = await describeMachine(client, redisUrl, loadAtStart);
      const fleetStarted = performance.now();
      await benchFleet.waitReady(60_000, baseWorkers);
      say(`  fleet ready ${((performance.now() - fleetStarted) / 1000).toFixed(1)} s after the gateway and workers were started`);
      return { f: benchFleet, pg: client, redisClient };
    });
    if (mode === 'short') {
      // A busy machine can take most of the budget just to start the fleet: then every measured
      // duration shrinks alike, and the run says so.
      const k = (SHORT_BUDGET_S - elapsedS()) / plannedSeconds(settings);
      if (k < 1) {
        settings = shortened(settings, k);
        results.settings.load = settings.load;
        results.settings.e2e = settings.e2e;
        results.settings.render_duration_ms = settings.renderDurationMs;
        results.settings.shortened_by = Math.round(k * 100) / 100;
        const note = `the fleet took ${Math.round(elapsedS())} s to start (a busy machine): every measured duration was shortened to ${Math.round(Math.max(k, 0) * 100)}% to stay within the ${SHORT_BUDGET_S} s budget`;
        results.notes.push(note);
        say(`  ${note}`);
      }
    }
    const e2eContext = (): E2eContext => ({
      gatewayOrigin: f.gatewayOrigin,
      simulatorOrigin: f.simulatorOrigin,
      barcodeIds,
      guard,
      db: pg,
      settings: settings.e2e,
    });
    const quiesce = async (label: string) => {
      const quiesceStarted = performance.now();
      const q = await quiescePipeline(redisUrl, world.queuePrefix, guard, 5_000);
      const took = ((performance.now() - quiesceStarted) / 1000).toFixed(1);
      say(`  ${label}: dropped ${q.dropped} queued job(s) in ${took} s${q.still_active > 0 ? `; ${q.still_active} still in progress` : ''}`);
    };

    const ceiling = await phase('ceiling', () => measureThroughput(f.ceilingOrigin, settings.load, barcodeIds, guard));
    Object.assign(results, {
      ceiling_rps: ceiling.rps,
      ceiling_p50_ms: ceiling.p50_ms,
      ceiling_p99_ms: ceiling.p99_ms,
      ceiling_p99_half_load_ms: ceiling.p99_half_load_ms,
      ceiling_detail: ceiling,
    });
    say(`  ceiling ${ceiling.rps}/s, p99 ${ceiling.p99_ms} ms; at ${ceiling.half_load_rate}/s p99 ${ceiling.p99_half_load_ms} ms`);

    // What reaches the simulator while the gateway is loaded: a (low) estimate of the pipeline's
    // rate, which sizes the burst so that it can finish within its budget.
    const simulatorBefore = (await simulatorStats(f.simulatorOrigin)).accepted;
    const accept = await phase('accept', () => measureThroughput(f.gatewayOrigin, settings.load, barcodeIds, guard));
    const pipelineRate = ((await simulatorStats(f.simulatorOrigin)).accepted - simulatorBefore) / results.phase_seconds.accept;
    Object.assign(results, {
      accept_rps: accept.rps,
      accept_p50_ms: accept.p50_ms,
      accept_p99_ms: accept.p99_ms,
      accept_ratio: ceiling.rps > 0 ? Math.round((accept.rps / ceiling.rps) * 1000) / 1000 : 0,
      accept_p99_half_load_ms: accept.p99_half_load_ms,
      accept_detail: accept,
      pipeline_mms_per_s_during_accept: Math.round(pipelineRate * 10) / 10,
    });
    say(`  gateway ${accept.rps}/s, p99 ${accept.p99_ms} ms; at ${accept.half_load_rate}/s p99 ${accept.p99_half_load_ms} ms; meanwhile ${Math.round(pipelineRate)} MMS/s reached the simulator`);
    const burstSize = Math.round(
      Math.min(settings.e2e.burstMax, Math.max(settings.e2e.burstMin, Math.min(accept.rps, pipelineRate) * settings.e2e.burstSeconds)),
    );

    const burst = await phase('e2e-burst', async () => {
      await quiesce('before the burst');
      return measureBurst(e2eContext(), burstSize);
    });
    results.e2e_mms_per_s = burst.mms_per_s;
    results.e2e_partial = burst.partial;
    results.e2e_burst = burst;
    say(`  ${burst.accepted} accepted, ${burst.delivered} at the simulator: ${burst.mms_per_s} MMS/s${burst.partial ? ' (partial)' : ''}`);

    const latency = await phase('e2e-latency', async () => {
      await quiesce('before the latency run');
      return measureLatency(e2eContext());
    });
    results.e2e_p50_ms = latency.p50_ms;
    results.e2e_p99_ms = latency.p99_ms;
    results.e2e_latency = latency;
    say(`  ${latency.accepted} accepted at ${latency.offered_per_s}/s offered: p50 ${latency.p50_ms} ms, p99 ${latency.p99_ms} ms${latency.missing > 0 ? ` (${latency.missing} NOT SUBMITTED)` : ''}`);
    if (latency.missing > 0) say(`  !! ${latency.missing} of ${latency.accepted} accepted messages were not SUBMITTED within ${settings.e2e.latencyDrainCapS} s after the load`);

    results.e2e_scaling = {};
    results.e2e_scaling_detail = {};
    const baseSeen = await f.workerCounts();
    // What the short run must keep for the end: renders, stopping the fleet, removing the world.
    const reserveS = renderBudgetS(settings) + 4;
    for (const n of settings.scalingProcesses) {
      if (n === baseWorkers.barcode && n === baseWorkers.delivery) {
        results.e2e_scaling[String(n)] = burst.mms_per_s;
        results.e2e_scaling_detail[String(n)] = { workers_seen: baseSeen, burst };
        continue;
      }
      if (mode === 'short' && elapsedS() + 12 + reserveS > SHORT_BUDGET_S) {
        results.notes.push(`scaling to ${n} processes skipped: the short run had used ${Math.round(elapsedS())} s of its ${SHORT_BUDGET_S}`);
        continue;
      }
      const scaled = await phase(`e2e-${n}-processes`, async () => {
        const restartStarted = performance.now();
        // The restart may take what the short run can spare; then it is reported, not waited for.
        const restartCapMs = mode === 'short' ? Math.max(5, SHORT_BUDGET_S - reserveS - 4 - elapsedS()) * 1000 : 40_000;
        let seen: WorkerCounts;
        try {
          seen = await f.restartWorkers({ barcode: n, delivery: n }, restartCapMs);
        } catch (error) {
          if (error instanceof WorkersNotReady && guard.failure === undefined) return error.message;
          throw error;
        }
        say(`  workers restarted in ${((performance.now() - restartStarted) / 1000).toFixed(1)} s: BullMQ workers barcode ${seen.barcode}, delivery ${seen.delivery}`);
        await quiesce(`with ${n} processes`);
        // The burst gets what is left of the short run's budget (a partial figure beats a late run).
        const leftS = mode === 'short' ? SHORT_BUDGET_S - reserveS - elapsedS() : Number.POSITIVE_INFINITY;
        const caps = { sendS: Math.min(settings.e2e.burstSendCapS, leftS / 2), drainS: Math.min(settings.e2e.burstDrainCapS, leftS / 2) };
        return { workers_seen: seen, burst: await measureBurst(e2eContext(), burstSize, caps) };
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

    if (settings.soak !== null) {
      const soakSettings = settings.soak;
      await phase('soak', async () => {
        const current = f.workerSettings;
        if (current.BARCODE_PROCESSES !== String(baseWorkers.barcode) || current.DELIVERY_PROCESSES !== String(baseWorkers.delivery)) {
          await f.restartWorkers(baseWorkers, 25_000);
        }
        await quiesce('before the soak');
        results.soak = await runSoak({
          gatewayOrigin: f.gatewayOrigin,
          simulatorOrigin: f.simulatorOrigin,
          barcodeIds,
          guard,
          db: pg,
          redis: redisClient,
          monitor,
          settings: soakSettings,
          progress: (line) => say(`  ${line}`),
        });
      });
    }

    // Renders in this process, with the fleet stopped: nothing else competes for the cores.
    await phase('fleet-stop', () => f.stop());
    const measure = await loadMeasureRenders();
    if (typeof measure === 'function') {
      const renders = await phase('renders', () => measureRenderFigures(measure, settings.renderDurationMs));
      results.render_per_core = renders.render_per_core;
      results.bwip_per_core = renders.bwip_per_core;
      results.render_ratio = renders.render_ratio;
    } else {
      results.render_per_core = null;
      results.bwip_per_core = null;
      results.render_ratio = null;
      results.render_unavailable = measure.unavailable;
      say(`renders not measured: ${measure.unavailable}`);
    }
    results.complete = true;
  } catch (error) {
    results.failure = messageOf(guard.failure ?? error);
    if (!(error instanceof BenchFailure) && guard.failure === undefined && process.env.BENCH_DEBUG === '1' && error instanceof Error) {
      console.error(error.stack);
    }
  } finally {
    const teardownStarted = performance.now();
    stopAllLoads();
    await fleet?.stop().catch(() => undefined);
    await monitor.sample();
    monitor.stop();
    results.processes = monitor.usage();
    if (redis !== undefined) {
      results.settings.redis_used_memory_mb_at_end = await redisUsedMemoryMb(redis).catch(() => null);
      redis.disconnect();
    }
    await db?.end().catch(() => undefined);
    for (const problem of await removeWorld(world)) results.notes.push(`cleanup: ${problem}`);
    await logs.close();
    results.logs = logs.summary();
    results.phase_seconds.teardown = Math.round((performance.now() - teardownStarted) / 10) / 100;
    results.phase_seconds.total = Math.round(elapsedS() * 100) / 100;
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
