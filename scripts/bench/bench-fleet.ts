import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Queue } from 'bullmq';
import { QueueName } from '@mms/contracts';
import { redisOptionsFrom } from '@mms/queue';
import { freePort } from '../../test/free-port';
import { Fleet, REPO_ROOT, ServiceName, inheritedEnv, startFleet } from '../lib/fleet';
import { BenchWorld } from './bench-world';
import { BenchFailure, RunGuard, messageOf } from './failure';
import { LogWatch } from './log-watch';

export interface BenchPorts {
  readonly gateway: number;
  readonly ops: number;
  readonly simulator: number;
  readonly ceiling: number;
}

export interface WorkerCounts {
  readonly barcode: number;
  readonly delivery: number;
}

/**
 * The fleet under test (MMSC simulator, gateway, barcode, delivery, each from scripts/lib/fleet.ts)
 * and the ceiling server, on free ports, logging to var/bench/. Each service is started on its own,
 * so that the simulator and the ceiling server start while the database is built, and the workers
 * restart with other process counts while the gateway and the simulator stay up. A process that
 * exits while not being stopped aborts the run.
 */
export class BenchFleet {
  /** One fleet per service, so that each starts when it can and the workers restart alone. */
  private readonly services = new Map<ServiceName, Fleet>();
  private ceiling: { process: ChildProcess; exited: Promise<void> } | undefined;
  private stopping = false;
  private workerEnv: Record<string, string> = {};

  private constructor(
    readonly ports: BenchPorts,
    private readonly world: BenchWorld,
    private readonly baseEnv: NodeJS.ProcessEnv,
    private readonly logs: LogWatch,
    private readonly guard: RunGuard,
  ) {}

  static async create(world: BenchWorld, fleetEnv: Readonly<Record<string, string>>, logs: LogWatch, guard: RunGuard): Promise<BenchFleet> {
    const [gateway, ops, simulator, ceiling] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const ports = { gateway, ops, simulator, ceiling };
    const env: NodeJS.ProcessEnv = {
      ...inheritedEnv(),
      ...fleetEnv,
      DATABASE_URL: world.databaseUrl,
      REDIS_URL: world.redisUrl,
      QUEUE_PREFIX: world.queuePrefix,
      GATEWAY_PORT: String(gateway),
      GATEWAY_HOST: '127.0.0.1',
      // The gateway's ops port (metrics, readiness, Bull Board), apart from the partners' port.
      OPS_PORT: String(ops),
      MMSC_SIM_PORT: String(simulator),
      MMSC_SIM_HOST: '127.0.0.1',
      MM7_URL: `http://127.0.0.1:${simulator}/mm7`,
      OUTBOX_DIR: join(REPO_ROOT, 'var', 'bench', 'outbox'),
    };
    return new BenchFleet(ports, world, env, logs, guard);
  }

  get gatewayOrigin(): string {
    return `http://127.0.0.1:${this.ports.gateway}`;
  }

  get simulatorOrigin(): string {
    return `http://127.0.0.1:${this.ports.simulator}`;
  }

  get ceilingOrigin(): string {
    return `http://127.0.0.1:${this.ports.ceiling}`;
  }

  /** The settings the workers run with now (process counts). */
  get workerSettings(): Readonly<Record<string, string>> {
    return this.workerEnv;
  }

  /** Root pids per process name, for the process monitor (a restart changes the workers'). */
  rootPids(name: ServiceName | 'ceiling-server'): number[] {
    const pid = name === 'ceiling-server' ? this.ceiling?.process.pid : this.services.get(name)?.services[0]?.process.pid;
    return pid === undefined ? [] : [pid];
  }

  /** The MMSC simulator needs no database: it can start while the world is being built. */
  startSimulator(): void {
    this.start('mmsc-simulator', {});
  }

  startGateway(): void {
    this.start('gateway', {});
  }

  startWorkers(counts: WorkerCounts): void {
    this.workerEnv = { BARCODE_PROCESSES: String(counts.barcode), DELIVERY_PROCESSES: String(counts.delivery) };
    this.start('barcode', this.workerEnv);
    this.start('delivery', this.workerEnv);
  }

  startCeiling(): void {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', join('scripts', 'bench', 'ceiling-server.ts')], {
      cwd: REPO_ROOT,
      env: {
        ...this.baseEnv,
        SWC_NODE_PROJECT: join(REPO_ROOT, 'tsconfig.json'),
        CEILING_PORT: String(this.ports.ceiling),
        CEILING_QUEUE_PREFIX: this.world.ceilingPrefix,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => this.logs.line('ceiling-server', line));
    }
    const exited = new Promise<void>((resolve) =>
      child.once('exit', (code) => {
        if (!this.stopping && this.ceiling?.process === child) this.died('ceiling-server', code);
        resolve();
      }),
    );
    this.ceiling = { process: child, exited };
  }

  /** Waits for the simulator, the gateway, the ceiling server and a worker on each queue. */
  async waitReady(timeoutMs: number, workers: WorkerCounts): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await this.guard.run(
      Promise.all([
        waitForAny([`${this.simulatorOrigin}/health/live`], deadline, 'the MMSC simulator'),
        waitForAny([`http://127.0.0.1:${this.ports.ops}/health/ready`], deadline, 'the gateway'),
        waitForAny([`${this.ceilingOrigin}/health/ready`], deadline, 'the ceiling server'),
        this.waitForWorkers(workers, deadline),
      ]),
    );
  }

  /**
   * Replaces the workers with others of other process counts; the rest stays up. The new ones
   * start (and compile) while the old ones stop: the queues are empty by then, so nothing runs
   * twice, and the count waited for is reached only once the old ones are gone.
   */
  async restartWorkers(counts: WorkerCounts, timeoutMs: number): Promise<WorkerCounts> {
    const deadline = Date.now() + timeoutMs;
    const old = [this.services.get('barcode'), this.services.get('delivery')];
    this.startWorkers(counts);
    await Promise.all(old.map((fleet) => fleet?.stop(Math.min(10_000, timeoutMs / 2))));
    await this.waitForWorkers(counts, deadline);
    return this.workerCounts();
  }

  /** BullMQ workers registered on each queue right now (one per worker process). */
  async workerCounts(): Promise<WorkerCounts> {
    const connection = redisOptionsFrom(this.world.redisUrl, 'producer');
    const queues = [QueueName.Barcode, QueueName.Delivery].map((name) => new Queue(name, { prefix: this.world.queuePrefix, connection }));
    try {
      const [barcode, delivery] = await Promise.all(queues.map((q) => q.getWorkersCount()));
      return { barcode, delivery };
    } finally {
      await Promise.all(queues.map((q) => q.close()));
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const ceiling = this.ceiling;
    if (ceiling !== undefined && ceiling.process.exitCode === null && ceiling.process.signalCode === null) {
      ceiling.process.kill('SIGTERM');
      const timer = setTimeout(() => ceiling.process.kill('SIGKILL'), 5000);
      await ceiling.exited;
      clearTimeout(timer);
    }
    // Workers first, while the simulator still answers their last submits; then the rest.
    const stopping = (names: readonly ServiceName[]) =>
      Promise.all(names.map((name) => this.services.get(name)?.stop(10_000)));
    await stopping(['barcode', 'delivery']);
    await stopping(['gateway', 'mmsc-simulator']);
  }

  private start(name: ServiceName, extraEnv: Record<string, string>): void {
    this.services.set(
      name,
      startFleet({
        env: { ...this.baseEnv, ...extraEnv },
        services: [name],
        onLine: (service, line) => this.logs.line(service, line),
        onUnexpectedExit: (service, code) => this.died(service, code),
      }),
    );
  }

  private died(name: string, code: number | null): void {
    if (this.stopping) return;
    const signal = name === 'ceiling-server' ? this.ceiling?.process.signalCode : this.services.get(name as ServiceName)?.services[0]?.process.signalCode;
    const how = code !== null ? `exit code ${code}` : `killed by ${signal ?? 'a signal'}`;
    const tail = this.logs.tail(name);
    this.guard.abort(
      `${name} exited during the run (${how}); ${tail === '' ? `it printed nothing (${this.logs.fileFor(name)})` : `its last lines (all in ${this.logs.fileFor(name)}):\n${tail}`}`,
    );
  }

  /**
   * BullMQ counts a worker by its Redis client's name. Barcode has to reach its process count; for
   * delivery, DELIVERY_PROCESSES may not be read yet (another issue adds it): one worker is enough
   * after a short grace, and the counts are reported as seen.
   */
  private async waitForWorkers(wanted: WorkerCounts, deadline: number): Promise<void> {
    let seen: WorkerCounts = { barcode: 0, delivery: 0 };
    let deliveryGraceFrom: number | undefined;
    while (Date.now() < deadline) {
      seen = await this.workerCounts().catch(() => seen);
      if (seen.barcode >= wanted.barcode && seen.delivery >= wanted.delivery) return;
      if (seen.barcode >= wanted.barcode && seen.delivery >= 1) {
        deliveryGraceFrom ??= Date.now();
        if (Date.now() - deliveryGraceFrom > 4000) return;
      }
      await this.guard.sleep(250);
    }
    throw new WorkersNotReady(
      `the workers did not register on their queues in time (barcode ${seen.barcode} of ${wanted.barcode}, delivery ${seen.delivery} of ${wanted.delivery}); ` +
        `see ${this.logs.fileFor('barcode')} and ${this.logs.fileFor('delivery')}`,
    );
  }
}

export class WorkersNotReady extends BenchFailure {}

/** Polls the URLs until one answers 2xx. */
async function waitForAny(urls: readonly string[], deadline: number, what: string): Promise<void> {
  let last = 'no answer';
  while (Date.now() < deadline) {
    for (const url of urls) {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
        if (response.ok) return;
        last = `${url}: HTTP ${response.status}`;
      } catch (error) {
        last = `${url}: ${messageOf(error)}`;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new BenchFailure(`${what} did not become ready in time (${last})`);
}
