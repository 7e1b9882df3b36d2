import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const REPO_ROOT = join(__dirname, '..', '..');

export type ServiceName = 'gateway' | 'barcode' | 'delivery' | 'mmsc-simulator';
/** The production fleet; the MMSC simulator is a dev and test peer, started on request. */
export const FLEET: readonly ServiceName[] = ['gateway', 'barcode', 'delivery'];

export interface RunningService {
  readonly name: ServiceName;
  readonly process: ChildProcess;
  readonly exited: Promise<number | null>;
}

export interface Fleet {
  readonly services: readonly RunningService[];
  /** SIGTERM to every service, then SIGKILL to whatever is still up after the timeout. */
  stop(timeoutMs?: number): Promise<void>;
}

export interface StartOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly services?: readonly ServiceName[];
  /** Each output line of each service; default: nothing. */
  readonly onLine?: (service: ServiceName, line: string) => void;
  /** Called when a service exits while the fleet was not being stopped. */
  readonly onUnexpectedExit?: (service: ServiceName, code: number | null) => void;
}

/**
 * Runs the fleet's apps as child processes from their TypeScript sources (swc compiles on load,
 * with decorator metadata and the @mms/* paths of tsconfig.json). The ops ports (the gateway's
 * OPS_PORT, the workers' BARCODE_OPS_PORT and DELIVERY_OPS_PORT) are any free port unless the env
 * names them, so fleets of tests and benchmarks never collide with each other or with `npm start`
 * (which names 3001, 3002, 3003); a caller that reads one names it (test/free-port.ts).
 */
export function startFleet(options: StartOptions): Fleet {
  let stopping = false;
  const opsPorts = {
    OPS_PORT: options.env.OPS_PORT || '0',
    BARCODE_OPS_PORT: options.env.BARCODE_OPS_PORT || '0',
    DELIVERY_OPS_PORT: options.env.DELIVERY_OPS_PORT || '0',
  };
  const services = (options.services ?? FLEET).map((name): RunningService => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', join('apps', name, 'src', 'main.ts')], {
      cwd: REPO_ROOT,
      env: { ...options.env, ...opsPorts, SWC_NODE_PROJECT: join(REPO_ROOT, 'tsconfig.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [child.stdout, child.stderr]) {
      if (stream === null) continue;
      createInterface({ input: stream }).on('line', (line) => options.onLine?.(name, line));
    }
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => {
        if (!stopping) options.onUnexpectedExit?.(name, code);
        resolve(code);
      }),
    );
    return { name, process: child, exited };
  });

  return {
    services,
    async stop(timeoutMs = 15_000) {
      stopping = true;
      const running = services.filter((s) => s.process.exitCode === null && s.process.signalCode === null);
      for (const service of running) service.process.kill('SIGTERM');
      const timer = setTimeout(() => running.forEach((s) => s.process.kill('SIGKILL')), timeoutMs);
      await Promise.all(running.map((s) => s.exited));
      clearTimeout(timer);
    },
  };
}

/**
 * The caller's environment without what would point a fleet of the bench or the fault suite at
 * something else or inject failures (addresses, prefixes, ports, MM7 and simulator settings,
 * production mode...): those set their own or none.
 */
export function inheritedEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const notInherited =
    /^(DATABASE_URL|REDIS_URL|QUEUE_PREFIX|GATEWAY_|OPS_|MM7_|MMSC_SIM_|BARCODE_|DELIVERY_|LOG_|ADMIN_|DEMO_POSTBACK_URL|OUTBOX_|RECONCILE_|POSTBACK_|NODE_ENV)/;
  return Object.fromEntries(Object.entries(env).filter(([name]) => !notInherited.test(name)));
}

/** Polls a URL until it answers 2xx, or throws after the timeout. */
export async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not become ready within ${timeoutMs} ms (${last})`);
}
