import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { createLogger, installShutdownDeadline, lowerWorkerPriority, superviseWorkerProcesses, unreachableServices } from '@mms/config';
import { BarcodeAppModule } from './app.module';
import { loadBarcodeConfig } from './config/barcode.config';

/** A worker: no HTTP server, just the barcode queue's processor (BARCODE_PROCESSES of them). */
async function main(): Promise<void> {
  const config = loadBarcodeConfig();
  const unreachable = await unreachableServices(config.DATABASE_URL, config.REDIS_URL);
  if (unreachable.length > 0) throw new Error(unreachable.join('\n'));
  if (superviseWorkerProcesses('barcode', config.BARCODE_PROCESSES)) return;
  lowerWorkerPriority('barcode', config.WORKER_NICENESS);
  installShutdownDeadline('barcode', config.SHUTDOWN_TIMEOUT_MS);
  const app = await NestFactory.createApplicationContext(BarcodeAppModule.forRoot(config), {
    logger: createLogger('barcode', config.LOG_LEVEL, config.LOG_FORMAT),
    abortOnError: false,
  });
  app.enableShutdownHooks();
  await app.init();
}

main().catch((error: unknown) => {
  console.error(`barcode: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
