import { Redis } from 'ioredis';
import { redisOptionsFrom } from '@mms/queue';

// A sliding one-second log per connector in Redis, shared by every delivery process: at most
// ARGV[1] submissions in ANY one-second interval (a calendar-second counter would allow twice
// that across a second boundary). Redis's own clock, so processes' clocks do not matter.
// Returns 0 when a slot was taken, else the milliseconds until the oldest entry leaves the window.
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 1000)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now, now .. '-' .. ARGV[2])
  redis.call('PEXPIRE', KEYS[1], 2000)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return tonumber(oldest[2]) + 1000 - now + 1`;

/** The connector's budget for this second is spent: try again after waitMs. */
export class ConnectorRateLimitedError extends Error {
  constructor(
    readonly connector: string,
    readonly waitMs: number,
  ) {
    super(`connector ${connector} is at its agreed rate; next slot in ${waitMs} ms`);
    this.name = 'ConnectorRateLimitedError';
  }
}

export class ConnectorRateLimiter {
  private readonly redis: Redis;
  private taken = 0;

  constructor(redisUrl: string, private readonly prefix: string) {
    this.redis = new Redis(redisOptionsFrom(redisUrl, 'worker'));
  }

  /** Takes one submission slot of the current second, or throws ConnectorRateLimitedError. */
  async take(connector: string, maxPerSecond: number): Promise<void> {
    const unique = `${process.pid}-${(this.taken += 1)}`;
    const waitMs = Number(await this.redis.eval(TAKE, 1, `${this.prefix}:mm7-rate:${connector}`, maxPerSecond, unique));
    if (waitMs > 0) throw new ConnectorRateLimitedError(connector, waitMs);
  }

  close(): void {
    this.redis.disconnect();
  }
}
