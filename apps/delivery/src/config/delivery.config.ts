import { z } from 'zod';
import { commonEnv, loadConfig } from '@mms/config';

export const deliveryEnvSchema = z.object({
  ...commonEnv,
  DELIVERY_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(4),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(5),
  /** Where the outbox transport writes composed messages (used until an MMSC is configured). */
  OUTBOX_DIR: z.string().min(1).default('var/outbox'),
});

export type DeliveryConfig = z.output<typeof deliveryEnvSchema>;
export const DELIVERY_CONFIG = Symbol('DELIVERY_CONFIG');

export function loadDeliveryConfig(env: NodeJS.ProcessEnv = process.env): DeliveryConfig {
  return loadConfig(deliveryEnvSchema, env);
}
