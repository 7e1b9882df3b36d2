import 'reflect-metadata';
import { startWorkerCommand } from '@mms/queue';
import { DeliveryAppModule } from './app.module';
import { loadDeliveryConfig } from './config/delivery.config';

/**
 * A worker: the delivery, delivery-report and postback queues' processors (DELIVERY_PROCESSES of
 * them), and a small ops server on DELIVERY_OPS_PORT (metrics, health), which the cluster primary
 * holds when there are several.
 */
startWorkerCommand('delivery', () => {
  const config = loadDeliveryConfig();
  return {
    name: 'delivery',
    config,
    processes: config.DELIVERY_PROCESSES,
    ops: { variable: 'DELIVERY_OPS_PORT', host: config.DELIVERY_OPS_HOST, port: config.DELIVERY_OPS_PORT },
    module: () => DeliveryAppModule.forRoot(config),
  };
});
