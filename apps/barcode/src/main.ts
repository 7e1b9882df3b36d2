import 'reflect-metadata';
import cluster from 'node:cluster';
import { NestFactory } from '@nestjs/core';
import { createLogger, installShutdownDeadline, unreachableServices } from '@mms/config';
import { BarcodeAppModule } from './app.module';
import { loadBarcodeConfig } from './config/barcode.config';

/** A worker: no HTTP server, just the barcode queue's processor. */
async function main(): Promise<void> {
  const config = loadBarcodeConfig();
  const unreachable = await unreachableServices(config.DATABASE_URL, config.REDIS_URL);
  if (unreachable.length > 0) throw new Error(unreachable.join('\n'));
  if (config.BARCODE_PROCESSES > 1 && cluster.isPrimary) {
    superviseWorkers(config.BARCODE_PROCESSES);
    return;
  }
  installShutdownDeadline('barcode', config.SHUTDOWN_TIMEOUT_MS);
  const app = await NestFactory.createApplicationContext(BarcodeAppModule.forRoot(config), {
    logger: createLogger('barcode', config.LOG_LEVEL, config.LOG_FORMAT),
    abortOnError: false,
  });
  app.enableShutdownHooks();
  await app.init();
}

/**
 * Runs n worker processes (each its own event loop and BullMQ worker) and replaces one that dies;
 * a signal to this process is passed on to every worker, which shut down gracefully.
 */
function superviseWorkers(n: number): void {
  let stopping = false;
  for (let i = 0; i < n; i += 1) cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    console.error(`barcode: worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    cluster.fork();
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
    });
  }
}

main().catch((error: unknown) => {
  console.error(`barcode: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
