import { createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { Credentials } from '@mms/contracts';
import { redisOptionsFrom, withTimeout } from '@mms/queue';
import { GATEWAY_CONFIG, GatewayConfig } from '../config/gateway.config';
import { API_KEY_PREFIX_LENGTH } from './credentials';

/** One login attempt, as the throttle counts it: who asks, and for what. */
export interface LoginAttempt {
  /** The client's address (IPv4, or the /64 of an IPv6 address). */
  readonly address: string;
  /** A digest of the API key's first characters, or of the legacy USER. */
  readonly subject: string;
}

/** A Redis call on the request path waits no longer than this (as the rate check). */
const REDIS_TIMEOUT_MS = 500;
/** Counters remembered per process at most; the oldest go first. */
const KNOWN_ENTRIES = 100_000;
const WARNING_INTERVAL_MS = 60_000;

// One key per counter (Redis Cluster: each its own slot): count a failure, start the window with
// the first, answer the count and the time left.
const FAILURE_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if n == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}`;

interface Counter {
  readonly failures: number;
  readonly until: number;
}

/**
 * Failed logins slowed per client address and per key prefix (docs/authentication.md). Failures
 * are counted in Redis, per fixed window of LOGIN_THROTTLE_WINDOW_SECONDS started by the first, so
 * every gateway process and replica adds to the same counts. Then, before any credential is
 * checked:
 *
 * - an address with LOGIN_FAILURES_PER_ADDRESS failures in its window is answered E104 without a
 *   check, whatever it sends, until the window ends;
 * - a key prefix (the first API_KEY_PREFIX_LENGTH characters of an API key, or a legacy USER) with
 *   LOGIN_FAILURES_PER_KEY_PREFIX failures is answered E104 without a check for addresses that
 *   failed at least once in their own window. An address without failures is checked as usual.
 *
 * So a stream of guesses is cut off, from one address or spread over many, while the real key
 * from a clean address keeps working and other accounts keep their rate: never a lockout of the
 * account. A success clears nothing (an attacker's own good key must not reset its count).
 *
 * What it costs: a failure, one Redis round trip. A success, none while nothing is over a limit:
 * the process that sees a counter reach its limit announces it (Redis pub/sub) and every gateway
 * keeps the limits reached in memory until their window ends. Only while a key prefix is over its
 * limit does an attempt with it ask Redis whether its address failed before. Redis away or slow
 * (500 ms): failures are counted in this process instead, and an attempt it cannot ask about is
 * checked as usual.
 */
@Injectable()
export class LoginThrottle implements OnApplicationShutdown {
  private readonly logger = new Logger(LoginThrottle.name);
  private readonly redis: Redis;
  private readonly subscriber: Redis;
  private readonly channel: string;
  private readonly known = new Map<string, Counter>();
  private readonly windowMs: number;
  private lastWarningAt = 0;

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {
    this.windowMs = config.LOGIN_THROTTLE_WINDOW_SECONDS * 1000;
    this.channel = `${config.QUEUE_PREFIX}:login-limits`;
    this.redis = new Redis(redisOptionsFrom(config.REDIS_URL, 'producer'));
    this.redis.on('error', () => undefined); // reported by failed() below, not per reconnect
    // A subscriber waits for Redis as long as it takes (and subscribes again after a reconnect).
    this.subscriber = new Redis(redisOptionsFrom(config.REDIS_URL, 'worker'));
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('message', (_channel: string, message: string) => this.heard(message));
    this.subscriber.subscribe(this.channel).catch((error: unknown) => this.warn(`limits of other gateways not heard: ${describe(error)}`));
  }

  /** After the partner port and internal sends have finished their requests (Nest closes them before this hook). */
  onApplicationShutdown(): void {
    this.subscriber.disconnect();
    this.redis.disconnect();
  }

  /** What this attempt is counted by; undefined for an attempt without credentials to count. */
  attemptOf(clientAddress: string, credentials: Credentials): LoginAttempt | undefined {
    if (credentials.kind === 'apiKey') return attempt(clientAddress, `key:${credentials.apiKey.slice(0, API_KEY_PREFIX_LENGTH)}`);
    if (credentials.kind === 'legacy') return attempt(clientAddress, `user:${credentials.user}`);
    return undefined;
  }

  /**
   * An MMSC's basic auth at /mm7/delivery-reports, counted by its user name as a key prefix is:
   * the same limits, and the same address counts as the partner API's (a guesser is one).
   */
  basicAuthAttemptOf(clientAddress: string, username: string): LoginAttempt {
    return attempt(clientAddress, `mm7:${username}`);
  }

  /** Whether the attempt is answered E104 without checking its credentials. */
  async refuses(attempt: LoginAttempt): Promise<boolean> {
    const perAddress = this.config.LOGIN_FAILURES_PER_ADDRESS;
    const perPrefix = this.config.LOGIN_FAILURES_PER_KEY_PREFIX;
    const addressCounter = `address:${attempt.address}`;
    const fromAddress = this.current(addressCounter);
    if (perAddress > 0 && fromAddress >= perAddress) return true;
    if (perPrefix <= 0 || this.current(`prefix:${attempt.subject}`) < perPrefix) return false;
    if (fromAddress > 0) return true;
    // The prefix is over its limit: did this address fail (on any gateway) in its window?
    try {
      const failures = Number(await withTimeout(this.redis.get(this.redisKey(addressCounter)), REDIS_TIMEOUT_MS, 'login failure read'));
      return failures > 0;
    } catch (error) {
      this.warn(`login throttle could not read Redis, attempt checked as usual: ${describe(error)}`);
      return false;
    }
  }

  /** Counts a failed check against the address and the prefix: one Redis round trip, bounded. */
  async failed(attempt: LoginAttempt): Promise<void> {
    const counters = [`address:${attempt.address}`, `prefix:${attempt.subject}`] as const;
    const limits = [this.config.LOGIN_FAILURES_PER_ADDRESS, this.config.LOGIN_FAILURES_PER_KEY_PREFIX] as const;
    let answers: Array<[number, number]>;
    try {
      answers = await withTimeout(
        Promise.all(counters.map((name) => this.redis.eval(FAILURE_SCRIPT, 1, this.redisKey(name), this.windowMs) as Promise<[number, number]>)),
        REDIS_TIMEOUT_MS,
        'login failure count',
      );
    } catch (error) {
      this.warn(`login failures counted in this process only (Redis: ${describe(error)})`);
      const now = Date.now();
      for (const name of counters) {
        const known = this.known.get(name);
        const live = known !== undefined && known.until > now;
        this.learn(name, live ? known.failures + 1 : 1, live ? known.until : now + this.windowMs);
      }
      return;
    }
    const now = Date.now();
    answers.forEach(([failures, ttl], i) => {
      const name = counters[i] as string;
      const limit = limits[i] as number;
      this.learn(name, failures, now + ttl);
      if (limit > 0 && failures >= limit) {
        if (failures === limit) this.logReached(name, attempt, failures);
        // Every gateway is told (a process that heard nothing would check the next attempt).
        withTimeout(this.redis.publish(this.channel, JSON.stringify({ name, failures, ttl })), REDIS_TIMEOUT_MS, 'login limit announcement').catch(
          (error: unknown) => this.warn(`login limit not announced to other gateways: ${describe(error)}`),
        );
      }
    });
  }

  /** A limit another gateway (or this one) saw reached: kept until its window ends. */
  private heard(message: string): void {
    try {
      const { name, failures, ttl } = JSON.parse(message) as { name?: unknown; failures?: unknown; ttl?: unknown };
      if (typeof name !== 'string' || !/^(address|prefix):/.test(name) || typeof failures !== 'number' || typeof ttl !== 'number') return;
      if (failures > this.current(name)) this.learn(name, failures, Date.now() + Math.min(ttl, this.windowMs));
    } catch {
      // Not ours: the channel carries nothing else.
    }
  }

  private redisKey(counter: string): string {
    return `${this.config.QUEUE_PREFIX}:login-failures:${counter}`;
  }

  private current(name: string): number {
    const known = this.known.get(name);
    if (known === undefined) return 0;
    if (known.until > Date.now()) return known.failures;
    this.known.delete(name);
    return 0;
  }

  private learn(name: string, failures: number, until: number): void {
    this.known.delete(name); // re-inserted last: the Map's order is the eviction order
    this.known.set(name, { failures, until });
    if (this.known.size > KNOWN_ENTRIES) this.known.delete(this.known.keys().next().value as string);
  }

  /** One line when a counter reaches its limit (exactly once per window, fleet-wide). */
  private logReached(name: string, attempt: LoginAttempt, failures: number): void {
    const seconds = this.config.LOGIN_THROTTLE_WINDOW_SECONDS;
    if (name.startsWith('address:')) {
      this.logger.warn(`${failures} failed logins from ${attempt.address}: its logins are refused unchecked for up to ${seconds} s`);
    } else {
      this.logger.warn(`${failures} failed logins for key prefix #${attempt.subject.slice(0, 8)}: refused unchecked from addresses that failed, for up to ${seconds} s`);
    }
  }

  private warn(message: string): void {
    const now = Date.now();
    if (now - this.lastWarningAt < WARNING_INTERVAL_MS) return;
    this.lastWarningAt = now;
    this.logger.warn(message);
  }
}

function attempt(clientAddress: string, subject: string): LoginAttempt {
  // A digest: no part of a key or user name is written to Redis or kept in memory in clear.
  return { address: addressKey(clientAddress), subject: createHash('sha256').update(subject).digest('base64url').slice(0, 22) };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The address failures are counted by: an IPv4 address as is (also when IPv4-mapped), an IPv6
 * address by its /64 (one subscriber's network: a client holds all of it), anything else as given.
 */
export function addressKey(ip: string): string {
  const address = ip.trim().toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(address);
  if (mapped?.[1] !== undefined) return mapped[1];
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return address.slice(0, 64);
  const [head = '', tail = ''] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  // A dotted IPv4 tail (`64:ff9b::192.0.2.1`) fills two groups.
  const right = tail === '' ? [] : tail.split(':').flatMap((group) => (group.includes('.') ? ['0', '0'] : [group]));
  const groups = address.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
