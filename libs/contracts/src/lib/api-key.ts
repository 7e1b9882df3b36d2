import { createHash } from 'node:crypto';

/**
 * API keys are stored as SHA-256 hex digests; the lookup is by digest, never by the key. One
 * function for the gateway, the admin CLI, the seed and the production checks.
 */
export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex');
}

/**
 * The first characters of an API key: what operators see of it (admin api-key:create keeps as
 * many) and what failed logins are counted by (the gateway's LoginThrottle).
 */
export const API_KEY_PREFIX_LENGTH = 6;
