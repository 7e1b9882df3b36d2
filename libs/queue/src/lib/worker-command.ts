import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  createLogger,
  installShutdownDeadline,
  isWorkerSupervisor,
  lowerWorkerPriority,
  superviseWorkerProcesses,
  unreachableServices,
} from '@mms/config';
import { serveClusterOps } from './ops-server';
import { serveWorkerOps } from './worker-ops';

/** What a queue worker command (`npm run barcode`, `npm run delivery`) is made of. */
export interface WorkerCommand {
  readonly name: string;
  readonly config: {
    readonly DATABASE_URL: string;
    readonly REDIS_URL: string;
    readonly LOG_LEVEL: string;
    readonly LOG_FORMAT: 'json' | 'pretty';
    readonly SHUTDOWN_TIMEOUT_MS: number;
    readonly WORKER_NICENESS: number;
  };
  /** Worker processes (node:cluster) the command runs. */
  readonly processes: number;
  /** The ops server (metrics, health): the variable named in errors, and where it listens. */
  readonly ops: { readonly variable: string; readonly host: string; readonly port: number };
  readonly module: () => DynamicModule;
}

/**
 * Runs a worker command: checks PostgreSQL and Redis answer, then either supervises `processes`
 * worker processes (holding the ops port first, so a busy one stops the command before any worker
 * starts) or is one: lower priority, a shutdown deadline, the Nest application, its ops server.
 */
export async function runWorkerCommand(command: WorkerCommand): Promise<void> {
  const { name, config, ops } = command;
  const unreachable = await unreachableServices(config.DATABASE_URL, config.REDIS_URL);
  if (unreachable.length > 0) throw new Error(unreachable.join('\n'));
  const logger = createLogger(name, config.LOG_LEVEL, config.LOG_FORMAT);
  if (isWorkerSupervisor(command.processes)) {
    await serveClusterOps(logger, ops.variable, ops.host, ops.port);
    superviseWorkerProcesses(name, command.processes);
    return;
  }
  lowerWorkerPriority(name, config.WORKER_NICENESS);
  installShutdownDeadline(name, config.SHUTDOWN_TIMEOUT_MS);
  const app = await NestFactory.createApplicationContext(command.module(), { logger, abortOnError: false });
  app.enableShutdownHooks();
  await app.init();
  await serveWorkerOps(app, logger, ops.variable, ops.host, ops.port);
}

/**
 * The command's entry point: reads its configuration and runs; a failure to start (configuration,
 * PostgreSQL or Redis not answering, a busy port) is one line naming the command, exit code 1.
 */
export function startWorkerCommand(name: string, describe: () => WorkerCommand): void {
  Promise.resolve()
    .then(() => runWorkerCommand(describe()))
    .catch((error: unknown) => {
      console.error(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    });
}
