import { Redis } from 'ioredis';
import { redisOptionsFrom } from '@mms/queue';

// One INCR per submission in a one-second window per connector, shared by every delivery
// process through Redis: adding workers never exceeds the carrier's agreed rate.
const TAKE = `
local used = redis.call('INCR', KEYS[1])
if used == 1 then redis.call('PEXPIRE', KEYS[1], 2000) end
return used`;

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

  constructor(redisUrl: string, private readonly prefix: string) {
    this.redis = new Redis(redisOptionsFrom(redisUrl, 'worker'));
  }

  /** Takes one submission slot of the current second, or throws ConnectorRateLimitedError. */
  async take(connector: string, maxPerSecond: number): Promise<void> {
    const now = Date.now();
    const second = Math.floor(now / 1000);
    const used = Number(await this.redis.eval(TAKE, 1, `${this.prefix}:mm7-rate:${connector}:${second}`));
    if (used > maxPerSecond) throw new ConnectorRateLimitedError(connector, (second + 1) * 1000 - now + 1);
  }

  close(): void {
    this.redis.disconnect();
  }
}
