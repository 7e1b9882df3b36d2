import cluster, { type Worker as ClusterWorker } from 'node:cluster';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LoggerService } from '@nestjs/common';
import { AggregatorRegistry, type Registry } from 'prom-client';

/**
 * The small HTTP server each worker command answers operators on (BARCODE_OPS_PORT,
 * DELIVERY_OPS_PORT): `GET /metrics` (Prometheus), `GET /health/live` (the process answers),
 * `GET /health/ready` (it can work jobs now: 200, or 503 with what is wrong). node:http, not a
 * framework: three routes, and nothing of it on the jobs' path.
 *
 * With node:cluster (BARCODE_PROCESSES / DELIVERY_PROCESSES > 1) the primary owns the port: it
 * aggregates its workers' registries (prom-client's AggregatorRegistry: counters and histograms
 * summed) and asks each worker whether it is ready over the cluster's IPC channel; the command is
 * ready while at least one of its processes is.
 */

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

/** A readiness answer from one cluster worker waits this long at most. */
const CLUSTER_READY_TIMEOUT_MS = 2000;
const READY_REQUEST = 'mmsgw:ops:ready?';
const READY_ANSWER = 'mmsgw:ops:ready';

export async function listenOps(endpoints: OpsEndpoints, host: string, port: number): Promise<OpsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(405, { error: 'GET only' });
    if (path === '/health/live') return json(200, { status: 'ok' });
    if (path === '/health/ready') {
      endpoints.ready().then(
        ({ ready, checks }) => json(ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', ...checks }),
        (error: unknown) => json(503, { status: 'not ready', error: describe(error) }),
      );
      return;
    }
    if (path === '/metrics') {
      endpoints.metrics().then(
        ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body),
        (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics unavailable: ${describe(error)}\n`),
      );
      return;
    }
    json(404, { error: 'not found', paths: ['/metrics', '/health/live', '/health/ready'] });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  return { url: `http://${hostForUrl(bound.address)}:${bound.port}`, close: () => closeServer(server) };
}

/**
 * The primary of a multi-process worker command: serves the ops port for all its workers until
 * SIGTERM / SIGINT (the workers are stopped by superviseWorkerProcesses), then lets the process end.
 * A port it cannot take fails naming `variable`.
 */
export async function serveClusterOps(logger: LoggerService, variable: string, host: string, port: number): Promise<OpsServer> {
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

  const server = await listenOps(
    {
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
    },
    host,
    port,
  ).catch((error: unknown) => {
    throw new Error(`${variable} ${port}: ${describe(error)}`);
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => void server.close());
  }
  logger.log(`metrics and health of all worker processes on ${server.url} (/metrics, /health/live, /health/ready)`);
  return server;
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

function hostForUrl(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
