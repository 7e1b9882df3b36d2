import { cpus, totalmem } from 'node:os';
import { Redis } from 'ioredis';
import { Client } from 'pg';

/** What the figures were measured on; no host name. */
export interface MachineInfo {
  readonly cpu_model: string;
  readonly cpus: number;
  readonly memory_total_mb: number;
  readonly node: string;
  readonly postgresql: string;
  readonly redis: string;
  /** 1, 5 and 15 minute load averages when the run began: other work sharing the cores. */
  readonly load_average_at_start: number[];
}

export async function describeMachine(db: Client, redisUrl: string, loadAtStart: readonly number[]): Promise<MachineInfo> {
  const cores = cpus();
  const { rows } = await db.query<{ server_version: string }>('SHOW server_version');
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  let redisVersion = 'unknown';
  try {
    await redis.connect();
    redisVersion = /^redis_version:(\S+)/m.exec(await redis.info('server'))?.[1] ?? 'unknown';
  } finally {
    redis.disconnect();
  }
  return {
    cpu_model: cores[0]?.model.trim() ?? 'unknown',
    cpus: cores.length,
    memory_total_mb: Math.round(totalmem() / 1024 / 1024),
    node: process.version,
    postgresql: rows[0]?.server_version ?? 'unknown',
    redis: redisVersion,
    load_average_at_start: loadAtStart.map((value) => Math.round(value * 100) / 100),
  };
}

/** Redis `INFO memory` used_memory, in MB. */
export async function redisUsedMemoryMb(redis: Redis): Promise<number> {
  const used = /^used_memory:(\d+)/m.exec(await redis.info('memory'))?.[1];
  return used === undefined ? 0 : Math.round((Number(used) / 1024 / 1024) * 10) / 10;
}
