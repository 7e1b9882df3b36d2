import type { Redis } from 'ioredis';

/**
 * Counters the workers keep in Redis (a hash per name, a field per label value), so the gateway's
 * /metrics reports what every worker process did, whichever process is scraped. HINCRBY is atomic,
 * so processes never lose each other's counts; nothing expires them (they are Prometheus counters).
 */
export type FleetCounter = 'postback-attempts';

export function fleetCounterKey(prefix: string, counter: FleetCounter): string {
  return `${prefix}:counters:${counter}`;
}

export async function addToFleetCounter(redis: Redis, prefix: string, counter: FleetCounter, label: string, by = 1): Promise<void> {
  await redis.hincrby(fleetCounterKey(prefix, counter), label, by);
}

export async function readFleetCounter(redis: Redis, prefix: string, counter: FleetCounter): Promise<Record<string, number>> {
  const fields = await redis.hgetall(fleetCounterKey(prefix, counter));
  return Object.fromEntries(Object.entries(fields).map(([label, value]) => [label, Number(value)]));
}
