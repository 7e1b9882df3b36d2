import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import {
  createLogger,
  installShutdownDeadline,
  isWorkerSupervisor,
  lowerWorkerPriority,
  superviseWorkerProcesses,
  unreachableServices,
} from '@mms/config';
import { serveClusterOps, serveWorkerOps } from '@mms/queue';
import { BarcodeAppModule } from './app.module';
import { loadBarcodeConfig } from './config/barcode.config';

/**
 * A worker: the barcode queue's processor (BARCODE_PROCESSES of them), and a small ops server on
 * BARCODE_OPS_PORT (metrics, health), which the cluster primary holds when there are several.
 */
async function main(): Promise<void> {
  const config = loadBarcodeConfig();
  const unreachable = await unreachableServices(config.DATABASE_URL, config.REDIS_URL);
  if (unreachable.length > 0) throw new Error(unreachable.join('\n'));
  const logger = createLogger('barcode', config.LOG_LEVEL, config.LOG_FORMAT);
  if (isWorkerSupervisor(config.BARCODE_PROCESSES)) {
    // The port first: a busy one stops the command before any worker process starts.
    await serveClusterOps(logger, 'BARCODE_OPS_PORT', config.BARCODE_OPS_HOST, config.BARCODE_OPS_PORT);
    superviseWorkerProcesses('barcode', config.BARCODE_PROCESSES);
    return;
  }
  lowerWorkerPriority('barcode', config.WORKER_NICENESS);
  installShutdownDeadline('barcode', config.SHUTDOWN_TIMEOUT_MS);
  const app = await NestFactory.createApplicationContext(BarcodeAppModule.forRoot(config), { logger, abortOnError: false });
  app.enableShutdownHooks();
  await app.init();
  await serveWorkerOps(app, logger, 'BARCODE_OPS_PORT', config.BARCODE_OPS_HOST, config.BARCODE_OPS_PORT);
}

main().catch((error: unknown) => {
  console.error(`barcode: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
