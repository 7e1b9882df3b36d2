import 'reflect-metadata';
import { startWorkerCommand } from '@mms/queue';
import { BarcodeAppModule } from './app.module';
import { loadBarcodeConfig } from './config/barcode.config';

/**
 * A worker: the barcode queue's processor (BARCODE_PROCESSES of them), and a small ops server on
 * BARCODE_OPS_PORT (metrics, health), which the cluster primary holds when there are several.
 */
startWorkerCommand('barcode', () => {
  const config = loadBarcodeConfig();
  return {
    name: 'barcode',
    config,
    processes: config.BARCODE_PROCESSES,
    ops: { variable: 'BARCODE_OPS_PORT', host: config.BARCODE_OPS_HOST, port: config.BARCODE_OPS_PORT },
    module: () => BarcodeAppModule.forRoot(config),
  };
});
