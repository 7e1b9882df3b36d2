import type { RedisOptions } from 'bullmq';

export type ConnectionRole = 'producer' | 'worker';

/**
 * A producer's command that Redis has not answered within this is failed by ioredis itself: the
 * backstop behind the shorter withTimeout of each hot-path call (rate checks, login failures,
 * enqueues), so that a Redis that accepts connections but stalls cannot pile up commands without end.
 */
export const PRODUCER_COMMAND_TIMEOUT_MS = 5000;

/**
 * ioredis options from REDIS_URL. Producers fail fast when Redis is down (no offline queue, so an
 * HTTP request never hangs on a dead Redis) or stalls (PRODUCER_COMMAND_TIMEOUT_MS); workers wait
 * for it forever (BullMQ requires maxRetriesPerRequest: null for blocking commands).
 */
export function redisOptionsFrom(redisUrl: string, role: ConnectionRole): RedisOptions {
  const url = new URL(redisUrl);
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new Error(`REDIS_URL: database index must be a number, got ${url.pathname}`);
  const base: RedisOptions = {
    host: url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: Number(url.port) || 6379,
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db,
    tls: url.protocol === 'rediss:' ? {} : undefined,
    connectionName: `mmsgw-${role}`,
  };
  return role === 'producer'
    ? { ...base, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000, commandTimeout: PRODUCER_COMMAND_TIMEOUT_MS }
    : { ...base, maxRetriesPerRequest: null, enableReadyCheck: true };
}
