import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Pool } from 'pg';
import { hashLegacyPassword } from './credentials';
import { LegacyPasswords } from './legacy-passwords';

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

describe('LegacyPasswords.verify', () => {
  const pool = { query: jest.fn(async () => ({ rows: [], rowCount: 1 })) } as unknown as Pool & { query: jest.Mock };
  const passwords = new LegacyPasswords(pool);
  const pass = md5('legacy-pass');
  let stored: string;

  beforeAll(async () => {
    stored = await hashLegacyPassword(pass);
  });

  beforeEach(() => pool.query.mockClear());

  it('runs scrypt for the first check only: a verified PASS is remembered, so the hot path does no hashing', async () => {
    expect(await passwords.verify({ id: 1, stored }, pass)).toBe('match');
    const started = performance.now();
    for (let i = 0; i < 50; i += 1) expect(await passwords.verify({ id: 1, stored }, pass.toUpperCase())).toBe('match');
    // 50 scrypts would take seconds; 50 cache hits take well under one.
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('never remembers a wrong PASS, and a changed password is another entry', async () => {
    expect(await passwords.verify({ id: 1, stored }, md5('wrong'))).toBe('mismatch');
    expect(await passwords.verify({ id: 1, stored }, md5('wrong'))).toBe('mismatch');
    const changed = await hashLegacyPassword(md5('new password'));
    expect(await passwords.verify({ id: 1, stored: changed }, pass)).toBe('mismatch');
    expect(await passwords.verify({ id: 1, stored: changed }, md5('new password'))).toBe('match');
  });

  it('checks an unknown user against a decoy: as slow as a known one, and never a match', async () => {
    const started = performance.now();
    expect(await passwords.verify({ id: 0, stored: null }, pass)).toBe('mismatch');
    expect(performance.now() - started).toBeGreaterThan(5);
  });

  it('accepts a bare md5 (a row not converted yet) and converts that row at once, with a compare-and-set', async () => {
    expect(await passwords.verify({ id: 42, stored: pass }, pass)).toBe('match');
    for (let waited = 0; pool.query.mock.calls.length === 0 && waited < 5000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(pool.query).toHaveBeenCalledWith('UPDATE accounts SET legacy_pass_md5 = $3 WHERE id = $1 AND legacy_pass_md5 = $2', [42, pass, expect.stringMatching(/^scrypt\$/)]);
  });
});
