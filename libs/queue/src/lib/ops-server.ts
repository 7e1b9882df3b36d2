import cluster, { type Worker as ClusterWorker } from 'node:cluster';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LoggerService } from '@nestjs/common';
import { AggregatorRegistry, type Registry } from 'prom-client';

/**
 * The ops endpoints every command answers operators on: `GET /metrics` (Prometheus),
 * `GET /health/live` (the process answers), `GET /health/ready` (it can work now: 200, or 503 with
 * what is wrong). The workers (BARCODE_OPS_PORT, DELIVERY_OPS_PORT) serve them with `listenOps`,
 * node:http, not a framework: three routes, and nothing of it on the jobs' path. The gateway
 * (OPS_PORT) serves the same answers (`answerOps`) from a Fastify listener that also holds Bull Board.
 *
 * With node:cluster (*_PROCESSES > 1) the primary owns the port (`serveClusterOps`): it
 * aggregates its workers' registries (prom-client's AggregatorRegistry: counters and histograms
 * summed, unless a metric names another aggregator) and asks each worker whether it is ready over
 * the cluster's IPC channel (`answerClusterOps` in each worker); the command is ready while at
 * least one of its processes is.
 */

/** The paths of `answerOps`. */
export const OPS_PATHS = ['/metrics', '/health/live', '/health/ready'] as const;
export type OpsPath = (typeof OPS_PATHS)[number];

export interface Readiness {
  readonly ready: boolean;
  /** What was checked and how it went, for the 200/503 body. */
  readonly checks: Readonly<Record<string, string>>;
}

export interface OpsEndpoints {
  metrics(): Promise<{ readonly contentType: string; readonly body: string }>;
  ready(): Promise<Readiness>;
}

export interface OpsServer {
  /** `http://host:port` as bound (port 0 asks for any free port). */
  readonly url: string;
  close(): Promise<void>;
}

/** What serves the ops endpoints on host:port: `listenOps`, or the gateway's listener. */
export type OpsListener = (endpoints: OpsEndpoints, host: string, port: number) => Promise<OpsServer>;

/** An HTTP answer, for whichever server sends it. */
export interface OpsAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** A readiness answer from one cluster worker waits this long at most. */
const CLUSTER_READY_TIMEOUT_MS = 2000;
const READY_REQUEST = 'mmsgw:ops:ready?';
const READY_ANSWER = 'mmsgw:ops:ready';

export function isOpsPath(path: string): path is OpsPath {
  return (OPS_PATHS as readonly string[]).includes(path);
}

/** The answer to `GET path`. */
export async function answerOps(endpoints: OpsEndpoints, path: OpsPath): Promise<OpsAnswer> {
  const json = (status: number, body: unknown): OpsAnswer => ({ status, contentType: 'application/json', body: JSON.stringify(body) });
  switch (path) {
    case '/health/live':
      return json(200, { status: 'ok' });
    case '/health/ready':
      return endpoints.ready().then(
        ({ ready, checks }) => json(ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', ...checks }),
        (error: unknown) => json(503, { status: 'not ready', error: describe(error) }),
      );
    case '/metrics':
      return endpoints.metrics().then(
        ({ contentType, body }) => ({ status: 200, contentType, body }),
        (error: unknown) => ({ status: 500, contentType: 'text/plain', body: `metrics unavailable: ${describe(error)}\n` }),
      );
  }
}

/** One process's registry as the `metrics` endpoint. */
export function registryMetrics(registry: Registry): OpsEndpoints['metrics'] {
  return async () => ({ contentType: registry.contentType, body: await registry.metrics() });
}

export async function listenOps(endpoints: OpsEndpoints, host: string, port: number): Promise<OpsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(405, { error: 'GET only' });
    if (!isOpsPath(path)) return json(404, { error: 'not found', paths: OPS_PATHS });
    void answerOps(endpoints, path).then(({ status, contentType, body }) => res.writeHead(status, { 'content-type': contentType }).end(body));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return { url: urlOfAddress(server.address() as AddressInfo), close: () => closeServer(server) };
}

/**
 * The primary of a multi-process command: serves the ops port for all its processes (with
 * `listen`: listenOps, or the gateway's listener) until SIGTERM / SIGINT (the processes are
 * stopped by superviseWorkerProcesses), then lets the process end. A port it cannot take fails
 * naming `variable`.
 */
export async function serveClusterOps(logger: LoggerService, variable: string, host: string, port: number, listen: OpsListener = listenOps): Promise<OpsServer> {
  const server = await listen(clusterOpsEndpoints(), host, port).catch((error: unknown) => {
    throw new Error(`${variable} ${port}: ${describe(error)}`);
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => void server.close());
  }
  logger.log(`metrics and health of all processes on ${server.url} (/metrics, /health/live, /health/ready)`);
  return server;
}

/** In a cluster primary: the endpoints of all its processes (metrics added up, ready while one is). */
function clusterOpsEndpoints(): OpsEndpoints {
  const aggregator = new AggregatorRegistry();
  let requestIds = 0;
  const askReady = (worker: ClusterWorker): Promise<Readiness> =>
    new Promise((resolve) => {
      const id = ++requestIds;
      const done = (answer: Readiness) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        resolve(answer);
      };
      const onMessage = (message: unknown) => {
        const m = message as { type?: unknown; id?: unknown; ready?: unknown; checks?: unknown };
        if (m?.type === READY_ANSWER && m.id === id) done({ ready: m.ready === true, checks: (m.checks ?? {}) as Record<string, string> });
      };
      const timer = setTimeout(() => done({ ready: false, checks: { answer: `none within ${CLUSTER_READY_TIMEOUT_MS} ms` } }), CLUSTER_READY_TIMEOUT_MS);
      worker.on('message', onMessage);
      worker.send({ type: READY_REQUEST, id });
    });
  return {
    metrics: async () => ({ contentType: aggregator.contentType, body: await aggregator.clusterMetrics() }),
    ready: async () => {
      const workers = Object.values(cluster.workers ?? {}).filter((w): w is ClusterWorker => w !== undefined && w.isConnected());
      const answers = await Promise.all(workers.map(askReady));
      const checks: Record<string, string> = { processes: `${answers.filter((a) => a.ready).length}/${workers.length} ready` };
      answers.forEach((answer, index) => {
        for (const [check, value] of Object.entries(answer.checks)) checks[`${check}[${workers[index]?.process.pid}]`] = value;
      });
      return { ready: answers.some((a) => a.ready), checks };
    },
  };
}

/** One process's ops: served by itself, or answered to its cluster primary. */
export interface ProcessOps {
  /** Where they are served; undefined in a cluster worker (its primary serves them). */
  readonly url: string | undefined;
  close(): Promise<void>;
}

/**
 * Serves one process's registry and readiness on host:port with `listen`; in a cluster worker,
 * answers the primary instead (serveClusterOps holds the port for all).
 */
export async function serveProcessOps(registry: Registry, ready: () => Promise<Readiness>, host: string, port: number, listen: OpsListener = listenOps): Promise<ProcessOps> {
  if (cluster.isWorker) {
    const detach = answerClusterOps(registry, ready);
    return { url: undefined, close: async () => detach() };
  }
  return listen({ metrics: registryMetrics(registry), ready }, host, port);
}

/**
 * In a cluster worker: lets the primary read this process's registry (for the aggregated
 * /metrics) and ask whether it is ready.
 */
export function answerClusterOps(registry: Registry, ready: () => Promise<Readiness>): () => void {
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one installs prom-client's listener for the primary's metric requests.
  new AggregatorRegistry();
  const onMessage = (message: unknown) => {
    const m = message as { type?: unknown; id?: unknown };
    if (m?.type !== READY_REQUEST) return;
    ready().then(
      (answer) => process.send?.({ type: READY_ANSWER, id: m.id, ...answer }),
      (error: unknown) => process.send?.({ type: READY_ANSWER, id: m.id, ready: false, checks: { error: describe(error) } }),
    );
  };
  process.on('message', onMessage);
  return () => process.off('message', onMessage);
}

async function closeServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    // Scrapers keep connections alive: without this, close waits for them to go idle.
    server.closeAllConnections();
  });
}

/** `http://host:port` of a bound server's address. */
export function urlOfAddress({ address, port }: AddressInfo): string {
  return `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
