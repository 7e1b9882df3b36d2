import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { redisOptionsFrom, withTimeout } from '@mms/queue';
import { GATEWAY_CONFIG, GatewayConfig } from '../config/gateway.config';

export interface RateSettings {
  readonly accountId: number;
  /** Minimum time between two requests, 0 = none (E106). */
  readonly minRequestIntervalMs: number;
  /** Requests allowed per window, null = unlimited (E120). */
  readonly requestLimit: number | null;
  readonly requestWindowSeconds: number;
}

export type RateVerdict = 'ok' | 'too-soon' | 'over-limit';

// One round trip, atomic across gateway replicas: the interval first, then the window budget.
const RATE_SCRIPT = `
if tonumber(ARGV[1]) > 0 then
  if not redis.call('SET', KEYS[1], '1', 'PX', ARGV[1], 'NX') then return 1 end
end
if tonumber(ARGV[2]) > 0 then
  local used = redis.call('INCR', KEYS[2])
  if used == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
  if used > tonumber(ARGV[2]) then return 2 end
end
return 0`;

/**
 * Per-account request limits kept in Redis, so they hold across gateway replicas. When Redis does
 * not answer in time the request is let through: the outbox already carries accepted messages
 * through a Redis outage, and refusing all traffic then would be worse than not throttling it.
 */
@Injectable()
export class RateLimiter implements OnApplicationShutdown {
  private readonly logger = new Logger(RateLimiter.name);
  private readonly redis: Redis;

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {
    this.redis = new Redis(redisOptionsFrom(config.REDIS_URL, 'producer'));
    this.redis.on('error', () => undefined); // reported by the verdicts below, not per reconnect
  }

  /** After the partner port and internal sends have finished their requests (Nest closes them before this hook). */
  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
  }

  async check(settings: RateSettings): Promise<RateVerdict> {
    const limit = settings.requestLimit ?? 0;
    if (settings.minRequestIntervalMs <= 0 && limit <= 0) return 'ok';
    const base = `${this.config.QUEUE_PREFIX}:rate:${settings.accountId}`;
    try {
      const result = await withTimeout(
        this.redis.eval(RATE_SCRIPT, 2, `${base}:interval`, `${base}:window`, settings.minRequestIntervalMs, limit, settings.requestWindowSeconds * 1000),
        500,
        'rate check',
      );
      return result === 1 ? 'too-soon' : result === 2 ? 'over-limit' : 'ok';
    } catch (error) {
      this.logger.warn(`rate check skipped for account ${settings.accountId}: ${error instanceof Error ? error.message : String(error)}`);
      return 'ok';
    }
  }
}

/** E106's text: "You can call API every X seconds", X as the account's interval in seconds. */
export function intervalInSeconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}
