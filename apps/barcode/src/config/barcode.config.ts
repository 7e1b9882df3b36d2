import { z } from 'zod';
import { commonEnv, loadConfig } from '@mms/config';

export const barcodeEnvSchema = z.object({
  ...commonEnv,
  /** Render jobs run at once per process; the render is CPU-bound, so keep it near the core count. */
  BARCODE_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  /** Worker processes this command runs (node:cluster); renders are CPU-bound, so about one per core. */
  BARCODE_PROCESSES: z.coerce.number().int().min(1).max(64).default(1),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(5),
});

export type BarcodeConfig = z.output<typeof barcodeEnvSchema>;
export const BARCODE_CONFIG = Symbol('BARCODE_CONFIG');

export function loadBarcodeConfig(env: NodeJS.ProcessEnv = process.env): BarcodeConfig {
  return loadConfig(barcodeEnvSchema, env);
}
