import { Redis } from 'ioredis';
import { MicroBatcher, redisOptionsFrom } from '@mms/queue';

// A sliding one-second log per connector in Redis, shared by every delivery process: at most
// ARGV[1] submissions in ANY one-second interval (a calendar-second counter would allow twice
// that across a second boundary). Redis's own clock, so processes' clocks do not matter.
// Takes up to ARGV[3] slots at once (the submits a process has ready); returns how many it took
// and, when it took fewer, the milliseconds until the oldest entry leaves the window.
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 1000)
local want = tonumber(ARGV[3])
local free = tonumber(ARGV[1]) - redis.call('ZCARD', KEYS[1])
local granted = math.max(0, math.min(want, free))
for i = 1, granted do
  redis.call('ZADD', KEYS[1], now, now .. '-' .. ARGV[2] .. '-' .. i)
end
if granted > 0 then redis.call('PEXPIRE', KEYS[1], 2000) end
if granted == want then return {granted, 0} end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {granted, tonumber(oldest[2]) + 1000 - now + 1}`;

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
  /** Per connector: the submits ready at the same moment ask Redis once, together. */
  private readonly batchers = new Map<string, MicroBatcher<number, number>>();

  constructor(redisUrl: string, private readonly prefix: string) {
    this.redis = new Redis(redisOptionsFrom(redisUrl, 'worker'));
  }

  /** Takes one submission slot of the current second, or throws ConnectorRateLimitedError. */
  async take(connector: string, maxPerSecond: number): Promise<void> {
    const waitMs = await this.batcherFor(connector).call(maxPerSecond);
    if (waitMs > 0) throw new ConnectorRateLimitedError(connector, waitMs);
  }

  close(): void {
    this.redis.disconnect();
  }

  private batcherFor(connector: string): MicroBatcher<number, number> {
    let batcher = this.batchers.get(connector);
    if (batcher === undefined) {
      // Each caller gets 0 (a slot) or the wait; the first callers of a batch get the slots.
      batcher = new MicroBatcher<number, number>(async (calls) => {
        const unique = `${process.pid}-${(this.taken += 1)}`;
        const [granted, waitMs] = (await this.redis.eval(TAKE, 1, `${this.prefix}:mm7-rate:${connector}`, calls[0] as number, unique, calls.length)) as [
          number,
          number,
        ];
        return calls.map((_, index) => (index < granted ? 0 : Math.max(1, waitMs)));
      });
      this.batchers.set(connector, batcher);
    }
    return batcher;
  }
}
