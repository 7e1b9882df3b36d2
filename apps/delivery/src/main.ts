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
import { DeliveryAppModule } from './app.module';
import { loadDeliveryConfig } from './config/delivery.config';

/**
 * A worker: the delivery, delivery-report and postback queues' processors (DELIVERY_PROCESSES of
 * them), and a small ops server on DELIVERY_OPS_PORT (metrics, health), which the cluster primary
 * holds when there are several.
 */
async function main(): Promise<void> {
  const config = loadDeliveryConfig();
  const unreachable = await unreachableServices(config.DATABASE_URL, config.REDIS_URL);
  if (unreachable.length > 0) throw new Error(unreachable.join('\n'));
  const logger = createLogger('delivery', config.LOG_LEVEL, config.LOG_FORMAT);
  if (isWorkerSupervisor(config.DELIVERY_PROCESSES)) {
    // The port first: a busy one stops the command before any worker process starts.
    await serveClusterOps(logger, 'DELIVERY_OPS_PORT', config.DELIVERY_OPS_HOST, config.DELIVERY_OPS_PORT);
    superviseWorkerProcesses('delivery', config.DELIVERY_PROCESSES);
    return;
  }
  lowerWorkerPriority('delivery', config.WORKER_NICENESS);
  installShutdownDeadline('delivery', config.SHUTDOWN_TIMEOUT_MS);
  const app = await NestFactory.createApplicationContext(DeliveryAppModule.forRoot(config), { logger, abortOnError: false });
  app.enableShutdownHooks();
  await app.init();
  await serveWorkerOps(app, logger, 'DELIVERY_OPS_PORT', config.DELIVERY_OPS_HOST, config.DELIVERY_OPS_PORT);
}

main().catch((error: unknown) => {
  console.error(`delivery: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
