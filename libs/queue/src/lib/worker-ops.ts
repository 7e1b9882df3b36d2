import { type INestApplicationContext, Inject, Injectable, type LoggerService, Module, OnApplicationShutdown } from '@nestjs/common';
import { DelayedError, type Job, type Worker } from 'bullmq';
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { type LogContext, withLogContext } from '@mms/config';
import { type QueueName, isJobName } from '@mms/contracts';
import { PG_POOL, type SqlClient } from '@mms/db';
import { METRIC_PREFIX, SCRAPE_READ_TIMEOUT_MS } from './fleet-metrics';
import { type ProcessOps, type Readiness, serveProcessOps } from './ops-server';
import { withTimeout } from './queue-health';

/**
 * A worker process's Prometheus registry: Node's default metrics and the job durations of this
 * process; an app adds its own (delivery: MM7 submissions, delivery reports). One per app
 * instance, so tests can boot several. The fleet-wide series (queue depths, outbox, final
 * statuses, postback attempts) are the gateway's (fleet-metrics.ts), so they exist once.
 */
@Injectable()
export class WorkerMetrics {
  readonly registry = new Registry();
  readonly jobDuration = new Histogram({
    name: `${METRIC_PREFIX}job_duration_seconds`,
    help: 'Time a worker spent on one run of a job, by queue, job name and outcome (completed, failed, delayed: handed back to wait)',
    labelNames: ['queue', 'job_name', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}

/**
 * The runs of this process's jobs. Each run gets a log context of its own (libs/config), which the
 * service fills with the message's request id once it has loaded the message, so every line of
 * that job carries it; each run is timed into mmsgw_job_duration_seconds. The BullMQ workers are
 * registered here too, for readiness.
 */
@Injectable()
export class WorkerJobs {
  private readonly workers = new Map<string, Worker>();
  /** The context a failed run ended in, by the error it threw (BullMQ hands that same error to `failed`). */
  private readonly contextOfFailure = new WeakMap<object, LogContext>();

  constructor(private readonly metrics: WorkerMetrics) {}

  /** A queue's worker, checked by readiness. */
  watch(queue: QueueName, worker: Worker): void {
    this.workers.set(queue, worker);
  }

  /** Runs a job's work (its processor's body) in its own log context, timed. */
  async run<T>(queue: QueueName, job: Job, work: () => Promise<T>): Promise<T> {
    const context: LogContext = {};
    const end = this.metrics.jobDuration.startTimer({ queue, job_name: isJobName(job.name) ? job.name : 'unknown' });
    try {
      const result = await withLogContext(context, work);
      end({ outcome: 'completed' });
      return result;
    } catch (error) {
      end({ outcome: error instanceof DelayedError ? 'delayed' : 'failed' });
      if (typeof error === 'object' && error !== null) this.contextOfFailure.set(error, context);
      throw error;
    }
  }

  /** Runs a `failed` event's handler in the log context its job's run ended in (none for a stalled job). */
  afterFailure<T>(error: unknown, handle: () => T): T {
    const context = typeof error === 'object' && error !== null ? this.contextOfFailure.get(error) : undefined;
    return withLogContext({ ...context }, handle);
  }

  /** Each watched worker's state: running, or why not. */
  states(): Record<string, string> {
    return Object.fromEntries(
      [...this.workers].map(([queue, worker]) => [
        `worker ${queue}`,
        worker.closing !== undefined ? 'closing' : worker.isPaused() ? 'paused' : worker.isRunning() ? 'running' : 'not running',
      ]),
    );
  }
}

/**
 * A worker command's ops endpoints (ops-server.ts): its registry, and readiness = PostgreSQL
 * answers and every queue worker of the process runs. `serve` is called by main.ts (tests call it
 * with port 0): a single process listens itself; a cluster worker answers its primary instead.
 */
@Injectable()
export class WorkerOps implements OnApplicationShutdown {
  private ops: ProcessOps | undefined;

  constructor(
    private readonly metrics: WorkerMetrics,
    private readonly jobs: WorkerJobs,
    @Inject(PG_POOL) private readonly db: SqlClient,
  ) {}

  async ready(): Promise<Readiness> {
    const postgres = await withTimeout(this.db.query('SELECT 1'), SCRAPE_READ_TIMEOUT_MS, 'PostgreSQL round trip').then(
      () => 'up',
      (error: unknown) => `down: ${error instanceof Error ? error.message : String(error)}`,
    );
    const workers = this.jobs.states();
    const running = Object.keys(workers).length > 0 && Object.values(workers).every((state) => state === 'running');
    return { ready: postgres === 'up' && running, checks: { postgres, ...workers } };
  }

  /** Serves /metrics and /health on host:port; returns the URL, or undefined in a cluster worker (its primary serves). */
  async serve(host: string, port: number): Promise<string | undefined> {
    this.ops = await serveProcessOps(this.metrics.registry, () => this.ready(), host, port);
    return this.ops.url;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.ops?.close();
  }
}

/** What a worker app imports for its ops endpoints, job contexts and metrics. */
@Module({
  providers: [WorkerMetrics, WorkerJobs, WorkerOps],
  exports: [WorkerMetrics, WorkerJobs, WorkerOps],
})
export class WorkerOpsModule {}

/**
 * For a worker's main.ts, once its app runs: serves the ops port (`variable` names it in errors).
 * A port it cannot take closes the app first (its workers hand their jobs back), then fails.
 */
export async function serveWorkerOps(app: INestApplicationContext, logger: LoggerService, variable: string, host: string, port: number): Promise<void> {
  let url: string | undefined;
  try {
    url = await app.get(WorkerOps).serve(host, port);
  } catch (error) {
    await app.close();
    throw new Error(`${variable} ${port}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (url !== undefined) logger.log(`metrics and health on ${url} (/metrics, /health/live, /health/ready)`);
}
