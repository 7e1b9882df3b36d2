import { createWriteStream, mkdirSync, WriteStream } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../test/free-port';
import { Fleet, REPO_ROOT, ServiceName, inheritedEnv, startFleet, waitForHttp } from '../lib/fleet';

export interface FleetPorts {
  readonly gateway: number;
  readonly ops: number;
  readonly barcodeOps: number;
  readonly deliveryOps: number;
  readonly simulator: number;
}

export interface FaultFleetOptions {
  readonly name: string;
  /** What the services connect to (a scenario may put a proxy or its own Redis in between). */
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly queuePrefix: string;
  /** Extra settings of this scenario. */
  readonly env?: Readonly<Record<string, string>>;
}

const HEALTH: Readonly<Record<ServiceName, (ports: FleetPorts) => string>> = {
  gateway: (p) => `http://127.0.0.1:${p.ops}/health/ready`,
  barcode: (p) => `http://127.0.0.1:${p.barcodeOps}/health/ready`,
  delivery: (p) => `http://127.0.0.1:${p.deliveryOps}/health/ready`,
  'mmsc-simulator': (p) => `http://127.0.0.1:${p.simulator}/health/live`,
};

/**
 * One scenario's fleet: gateway, barcode, delivery and the MMSC simulator, each its own process
 * (scripts/lib/fleet.ts) so that each can be killed, stopped and started again alone. Output goes
 * to var/faults/<scenario>/<service>.log. A service that exits while nobody stopped it is
 * recorded: the scenario fails on it (a worker must survive its database going away).
 */
export class FaultFleet {
  private readonly running = new Map<ServiceName, Fleet>();
  private readonly expectedExit = new Set<ServiceName>();
  readonly unexpectedExits: string[] = [];
  private readonly logs = new Map<ServiceName, WriteStream>();
  readonly logDir: string;

  private constructor(
    readonly ports: FleetPorts,
    private readonly env: NodeJS.ProcessEnv,
    name: string,
    /** The Redis the services use (a scenario's own, or the machine's). */
    readonly redisUrl: string,
  ) {
    this.logDir = join(REPO_ROOT, 'var', 'faults', name);
    mkdirSync(this.logDir, { recursive: true });
  }

  static async create(options: FaultFleetOptions): Promise<FaultFleet> {
    const ports: FleetPorts = {
      gateway: await freePort(),
      ops: await freePort(),
      barcodeOps: await freePort(),
      deliveryOps: await freePort(),
      simulator: await freePort(),
    };
    const inbound = { MM7_INBOUND_USERNAME: 'mmsc', MM7_INBOUND_PASSWORD: 'faults-inbound-secret' };
    const env: NodeJS.ProcessEnv = {
      ...inheritedEnv(),
      DATABASE_URL: options.databaseUrl,
      REDIS_URL: options.redisUrl,
      QUEUE_PREFIX: options.queuePrefix,
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_PORT: String(ports.gateway),
      OPS_PORT: String(ports.ops),
      BARCODE_OPS_PORT: String(ports.barcodeOps),
      DELIVERY_OPS_PORT: String(ports.deliveryOps),
      MMSC_SIM_HOST: '127.0.0.1',
      MMSC_SIM_PORT: String(ports.simulator),
      MMSC_SIM_MAX_MESSAGES: '100000',
      MMSC_SIM_DLR_URL: `http://127.0.0.1:${ports.gateway}/mm7/delivery-reports`,
      MMSC_SIM_DLR_USERNAME: inbound.MM7_INBOUND_USERNAME,
      MMSC_SIM_DLR_PASSWORD: inbound.MM7_INBOUND_PASSWORD,
      ...inbound,
      MM7_URL: `http://127.0.0.1:${ports.simulator}/mm7`,
      OUTBOX_DIR: join(REPO_ROOT, 'var', 'faults', options.name, 'outbox'),
      POSTBACK_ALLOW_PRIVATE_NETWORKS: 'true',
      // Recovery within the scenario's minutes, not the production defaults' hours.
      POSTBACK_RETRY_DELAY_MS: '1000',
      POSTBACK_MAX_ATTEMPTS: '60',
      POSTBACK_SWEEP_INTERVAL_MS: '2000',
      OUTBOX_SWEEP_INTERVAL_MS: '1000',
      OUTBOX_SWEEP_MIN_AGE_MS: '2000',
      RECONCILE_INTERVAL_MS: '5000',
      RECONCILE_AFTER_MS: '20000',
      LOG_LEVEL: 'log',
      ...options.env,
    };
    return new FaultFleet(ports, env, options.name, options.redisUrl);
  }

  get gatewayOrigin(): string {
    return `http://127.0.0.1:${this.ports.gateway}`;
  }

  get simulatorOrigin(): string {
    return `http://127.0.0.1:${this.ports.simulator}`;
  }

  start(...names: ServiceName[]): void {
    for (const name of names) {
      if (this.isRunning(name)) throw new Error(`${name} is already running`);
      this.expectedExit.delete(name);
      const log = this.logs.get(name) ?? createWriteStream(join(this.logDir, `${name}.log`), { flags: 'a' });
      this.logs.set(name, log);
      log.write(`--- started ${new Date().toISOString()}\n`);
      this.running.set(
        name,
        startFleet({
          env: this.env,
          services: [name],
          onLine: (_service, line) => log.write(`${line}\n`),
          onUnexpectedExit: (service, code) => {
            if (!this.expectedExit.has(service)) this.unexpectedExits.push(`${service} exited on its own (code ${code}); see ${join(this.logDir, `${service}.log`)}`);
          },
        }),
      );
    }
  }

  /** Waits for each service's health endpoint; gives up at once when one of them died. */
  async waitReady(timeoutMs: number, ...names: ServiceName[]): Promise<void> {
    const seen = this.unexpectedExits.length;
    let watching = true;
    const died = (async () => {
      while (watching) {
        if (this.unexpectedExits.length > seen) throw new Error(this.unexpectedExits.slice(seen).join('; '));
        await sleep(200);
      }
    })();
    try {
      await Promise.race([Promise.all(names.map((name) => waitForHttp(HEALTH[name](this.ports), timeoutMs))), died]);
    } finally {
      watching = false;
    }
  }

  /** SIGKILL: no shutdown hook runs. */
  async kill(name: ServiceName): Promise<void> {
    const service = this.running.get(name)?.services[0];
    if (service === undefined) return;
    this.expectedExit.add(name);
    this.logs.get(name)?.write(`--- SIGKILL ${new Date().toISOString()}\n`);
    service.process.kill('SIGKILL');
    await service.exited;
    this.running.delete(name);
  }

  /** SIGTERM and wait: returns the exit code (null when a signal ended it) and how long it took. */
  async terminate(name: ServiceName, timeoutMs = 30_000): Promise<{ code: number | null; signal: string | null; ms: number }> {
    const service = this.running.get(name)?.services[0];
    if (service === undefined) return { code: null, signal: null, ms: 0 };
    this.expectedExit.add(name);
    this.logs.get(name)?.write(`--- SIGTERM ${new Date().toISOString()}\n`);
    const started = Date.now();
    service.process.kill('SIGTERM');
    const timer = setTimeout(() => service.process.kill('SIGKILL'), timeoutMs);
    const code = await service.exited;
    clearTimeout(timer);
    this.running.delete(name);
    return { code, signal: service.process.signalCode, ms: Date.now() - started };
  }

  isRunning(name: ServiceName): boolean {
    const service = this.running.get(name)?.services[0];
    return service !== undefined && service.process.exitCode === null && service.process.signalCode === null;
  }

  /** Stops everything: workers first, while the gateway and the simulator still answer. */
  async stop(): Promise<void> {
    for (const group of [['barcode', 'delivery'], ['gateway', 'mmsc-simulator']] as const) {
      await Promise.all(
        group.map(async (name) => {
          this.expectedExit.add(name);
          await this.running.get(name)?.stop(15_000);
          this.running.delete(name);
        }),
      );
    }
    await Promise.all([...this.logs.values()].map((log) => new Promise((resolve) => log.end(resolve))));
  }
}
