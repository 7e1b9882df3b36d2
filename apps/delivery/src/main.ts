import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { createLogger, installShutdownDeadline, lowerWorkerPriority, superviseWorkerProcesses, unreachableServices } from '@mms/config';
import { DeliveryAppModule } from './app.module';
import { loadDeliveryConfig } from './config/delivery.config';

/** A worker: no HTTP server, just the delivery queue's processor (DELIVERY_PROCESSES of them). */
async function main(): Promise<void> {
  const config = loadDeliveryConfig();
  const unreachable = await unreachableServices(config.DATABASE_URL, config.REDIS_URL);
  if (unreachable.length > 0) throw new Error(unreachable.join('\n'));
  if (superviseWorkerProcesses('delivery', config.DELIVERY_PROCESSES)) return;
  lowerWorkerPriority('delivery', config.WORKER_NICENESS);
  installShutdownDeadline('delivery', config.SHUTDOWN_TIMEOUT_MS);
  const app = await NestFactory.createApplicationContext(DeliveryAppModule.forRoot(config), {
    logger: createLogger('delivery', config.LOG_LEVEL, config.LOG_FORMAT),
    abortOnError: false,
  });
  app.enableShutdownHooks();
  await app.init();
}

main().catch((error: unknown) => {
  console.error(`delivery: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
