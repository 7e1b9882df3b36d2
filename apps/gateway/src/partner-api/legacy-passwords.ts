import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL } from '@mms/db';
import { hashLegacyPassword, isBareMd5, verifyLegacyPassword } from './credentials';

/** Verified logins remembered per process; the oldest go first. */
const VERIFIED_CACHE_ENTRIES = 10_000;
/** scrypt runs on libuv's thread pool (4 threads by default): this many at once, the rest wait. */
const CONCURRENT_HASHES = 4;
/** Checks waiting beyond this are refused like a wrong password (a flood must not queue without end). */
const WAITING_HASHES = 256;
/** Rows converted per statement when the gateway starts. */
const UPGRADE_BATCH = 100;

/** What a legacy check decided; `busy`: too many checks waiting, refused without an answer on the password. */
export type LegacyVerdict = 'match' | 'mismatch' | 'busy';

/**
 * The legacy USER + PASS check, and the conversion of stored passwords to the scrypt form.
 *
 * Checking: scrypt costs tens of milliseconds, so a password once verified is remembered in
 * process, keyed by a SHA-256 of the stored value and the PASS given (a changed password is a
 * different key; nothing secret is kept in clear): a partner's steady traffic runs no scrypt at
 * all. Only matches are remembered, so wrong passwords cannot fill the cache; they are bounded by
 * LoginThrottle and by the number of hashes run at once. An unknown user costs a hash too, so the
 * answer's timing does not tell which users exist.
 *
 * Conversion (the migration of rows written before the scrypt form, a bare md5 in hex): every
 * gateway converts them when it starts, in the background, each row with a compare-and-set
 * (`WHERE legacy_pass_md5 = <the md5 it read>`), so gateways starting together, an operator's
 * change meanwhile, or a rerun are all harmless, and a row converted is never touched again. Until
 * a row is converted its md5 keeps working (compared in constant time), and a successful login
 * converts it at once as well.
 */
@Injectable()
export class LegacyPasswords implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LegacyPasswords.name);
  private readonly verified = new Map<string, true>();
  private readonly waiting: Array<() => void> = [];
  private hashing = 0;
  private decoy: Promise<string> | undefined;
  private upgrading: Promise<number> | undefined;
  private stopping = false;

  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  onApplicationBootstrap(): void {
    this.upgrading = this.upgradeAll().catch((error: unknown) => {
      this.logger.warn(`legacy passwords not converted to scrypt yet (next start, or at their next login): ${describe(error)}`);
      return 0;
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.upgrading;
  }

  /** Checks PASS against a stored value (null: an unknown user or no password, which never matches). */
  async verify(account: { readonly id: number; readonly stored: string | null }, passMd5: string): Promise<LegacyVerdict> {
    const stored = account.stored;
    const key = stored === null ? undefined : cacheKey(stored, passMd5);
    if (key !== undefined && this.verified.has(key)) return 'match';
    if (this.waiting.length >= WAITING_HASHES) return 'busy';
    await this.slot();
    let matches = false;
    try {
      // An unknown user is checked against a decoy, so that it takes as long as a known one.
      if (stored === null) await verifyLegacyPassword(await this.decoyHash(), passMd5);
      else matches = await verifyLegacyPassword(stored, passMd5);
    } finally {
      this.release();
    }
    if (!matches || stored === null || key === undefined) return 'mismatch';
    this.remember(key);
    if (isBareMd5(stored)) void this.upgradeRow(account.id, stored).catch((error: unknown) => this.logger.warn(`legacy password of account ${account.id} not converted: ${describe(error)}`));
    return 'match';
  }

  /** Converts every stored bare md5 to the scrypt form; returns how many rows this call converted. */
  async upgradeAll(): Promise<number> {
    let converted = 0;
    let lastId = 0;
    while (!this.stopping) {
      const { rows } = await this.pool.query<{ id: number; stored: string }>(
        `SELECT id, legacy_pass_md5 AS stored FROM accounts WHERE id > $1 AND legacy_pass_md5 ~ '^[0-9a-fA-F]{32}$' ORDER BY id LIMIT $2`,
        [lastId, UPGRADE_BATCH],
      );
      for (const row of rows) {
        if (this.stopping) break;
        if (await this.upgradeRow(row.id, row.stored)) converted += 1;
        lastId = row.id;
      }
      if (rows.length < UPGRADE_BATCH) break;
    }
    if (converted > 0) this.logger.log(`converted ${converted} legacy password(s) from md5 to scrypt`);
    return converted;
  }

  /** One row, only if it still holds the md5 read (compare-and-set). */
  private async upgradeRow(accountId: number, md5: string): Promise<boolean> {
    const hashed = await hashLegacyPassword(md5);
    const { rowCount } = await this.pool.query('UPDATE accounts SET legacy_pass_md5 = $3 WHERE id = $1 AND legacy_pass_md5 = $2', [accountId, md5, hashed]);
    return rowCount === 1;
  }

  private decoyHash(): Promise<string> {
    this.decoy ??= hashLegacyPassword('decoy: never anyone\'s password');
    return this.decoy;
  }

  private remember(key: string): void {
    this.verified.set(key, true);
    if (this.verified.size > VERIFIED_CACHE_ENTRIES) this.verified.delete(this.verified.keys().next().value as string);
  }

  private slot(): Promise<void> {
    if (this.hashing < CONCURRENT_HASHES) {
      this.hashing += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next === undefined) this.hashing -= 1;
    else next();
  }
}

function cacheKey(stored: string, passMd5: string): string {
  return createHash('sha256').update(stored).update('\0').update(passMd5.trim().toLowerCase()).digest('base64');
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
