import { z } from 'zod';
import { dbEnv } from '@mms/db';
import { commonEnv, loadConfig, portVariable, productionChecks, workerNicenessVariable } from '@mms/config';

export const barcodeEnvSchema = z.object({
  ...commonEnv,
  /**
   * Render jobs held at once per process. Renders run one at a time on the event loop (CPU-bound);
   * holding more jobs lets their database and Redis round trips be shared (batches).
   */
  BARCODE_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(16),
  /** Worker processes this command runs (node:cluster); renders are CPU-bound, so about one per core. */
  BARCODE_PROCESSES: z.coerce.number().int().min(1).max(64).default(1),
  /** Scheduling priority below the gateway's on shared cores (nice value; 0 keeps the default). */
  WORKER_NICENESS: workerNicenessVariable,
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(5),
  /** Statement and connect timeouts of the pool (libs/db db-config.ts). */
  ...dbEnv,
  /** The worker's /metrics, /health/live and /health/ready (docs/observability.md); 0 takes any free port. */
  BARCODE_OPS_PORT: portVariable.default(3002),
  BARCODE_OPS_HOST: z.string().min(1).default('127.0.0.1'),
});

export type BarcodeConfig = z.output<typeof barcodeEnvSchema>;
export const BARCODE_CONFIG = Symbol('BARCODE_CONFIG');

export function loadBarcodeConfig(env: NodeJS.ProcessEnv = process.env): BarcodeConfig {
  const config = loadConfig(barcodeEnvSchema, env);
  productionChecks(config);
  return config;
}
