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

/**
 * How long each refused caller waits: the callers behind the slots that were granted wake one
 * rate-interval apart from the moment the window frees (the first `maxPerSecond` of them within
 * the next second, the following ones in the second after), plus a jitter below one interval so
 * that processes computing the same spread do not wake together. Waking them all at `waitMs`
 * would only make them meet the limiter again at the same moment.
 */
export function spreadWaits(calls: number, granted: number, waitMs: number, maxPerSecond: number, random: () => number = Math.random): number[] {
  const interval = 1000 / maxPerSecond;
  return Array.from({ length: calls }, (_, index) => {
    if (index < granted) return 0;
    const behind = index - granted;
    return Math.max(1, Math.floor(waitMs + behind * interval + random() * interval));
  });
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
      // Each caller gets 0 (a slot) or its wait; the first callers of a batch get the slots.
      batcher = new MicroBatcher<number, number>(async (calls) => {
        const unique = `${process.pid}-${(this.taken += 1)}`;
        const [granted, waitMs] = (await this.redis.eval(TAKE, 1, `${this.prefix}:mm7-rate:${connector}`, calls[0] as number, unique, calls.length)) as [
          number,
          number,
        ];
        return spreadWaits(calls.length, granted, waitMs, calls[0] as number);
      });
      this.batchers.set(connector, batcher);
    }
    return batcher;
  }
}
