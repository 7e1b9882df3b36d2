import { z } from 'zod';
import { commonEnv, loadConfig } from '@mms/config';
import type { SendClientOptions } from './send-client';

/** What a service that sends through the gateway reads from its environment (validated at boot). */
export const sendClientEnvSchema = z.object({
  REDIS_URL: commonEnv.REDIS_URL,
  QUEUE_PREFIX: commonEnv.QUEUE_PREFIX,
  /** How long `send` waits for the gateway's outcome; the send itself stays queued past it. */
  INTERNAL_SEND_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
});

export function loadSendClientConfig(env: NodeJS.ProcessEnv = process.env): SendClientOptions {
  const config = loadConfig(sendClientEnvSchema, env);
  return { redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX, timeoutMs: config.INTERNAL_SEND_TIMEOUT_MS };
}
