import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

// How keys are stored lives in the contracts (the admin CLI, seed and production checks share it).
export { API_KEY_PREFIX_LENGTH, hashApiKey } from '@mms/contracts';

/**
 * Constant-time comparison of two secrets that leaks neither their content nor their length:
 * both are reduced to SHA-256 digests (32 bytes whatever was given) and those are compared.
 */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

/** Whether an Authorization header carries exactly these basic-auth credentials (constant time). */
export function basicAuthMatches(header: string | undefined, username: string, password: string): boolean {
  const expected = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
  return sameSecret(header ?? '', expected);
}

/** The user and password of a basic-auth Authorization header (RFC 7617), or undefined. */
export function basicAuthOf(header: string | undefined): { readonly username: string; readonly password: string } | undefined {
  const match = /^Basic[ ]+([A-Za-z0-9+/]+={0,2})[ ]*$/i.exec(header ?? '');
  if (match?.[1] === undefined) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? undefined : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

// ---------------------------------------------------------------------------------------------
// The legacy password (USER + PASS, PASS = md5(password) in hex, as the API carries it).
//
// Stored as a slow salted hash of that md5, `scrypt$N$r$p$salt$hash` (salt and hash base64url),
// so a database leak is not a working login. Rows written before (a bare md5 in hex) are still
// read, and converted in place by the gateway (LegacyPasswords).

/** Interactive-login cost (RFC 7914 §2): 16 MiB and some tens of milliseconds per hash. */
export const LEGACY_SCRYPT = { N: 16_384, r: 8, p: 1, keyLength: 32, saltLength: 16 } as const;

const SCRYPT_FORM = /^scrypt\$(\d{1,8})\$(\d{1,3})\$(\d{1,3})\$([A-Za-z0-9_-]{16,128})\$([A-Za-z0-9_-]{16,256})$/;
const MD5_FORM = /^[0-9a-fA-F]{32}$/;

/** A stored legacy password in its new form: scrypt of the md5, parameters and salt inside. */
export async function hashLegacyPassword(passMd5: string): Promise<string> {
  const { N, r, p, keyLength, saltLength } = LEGACY_SCRYPT;
  const salt = randomBytes(saltLength);
  const hash = await scryptOf(normalisedMd5(passMd5), salt, keyLength, { N, r, p });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

/** Whether a stored value is a bare md5 (a row from before the scrypt form, not converted yet). */
export function isBareMd5(stored: string): boolean {
  return MD5_FORM.test(stored);
}

/**
 * Whether PASS (md5 of the password, hex, any case) matches a stored legacy password: the scrypt
 * form, or a bare md5 not converted yet. A value of neither form, or with parameters outside
 * sane bounds (a corrupted row must not make us allocate gigabytes), matches nothing.
 */
export async function verifyLegacyPassword(stored: string, passMd5: string): Promise<boolean> {
  if (isBareMd5(stored)) return sameSecret(stored.toLowerCase(), normalisedMd5(passMd5));
  const form = SCRYPT_FORM.exec(stored);
  if (form === null) return false;
  const [N, r, p] = [Number(form[1]), Number(form[2]), Number(form[3])];
  if (!isPowerOfTwo(N) || N < 1024 || N > 1_048_576 || r < 1 || r > 32 || p < 1 || p > 16) return false;
  const expected = Buffer.from(form[5] as string, 'base64url');
  const actual = await scryptOf(normalisedMd5(passMd5), Buffer.from(form[4] as string, 'base64url'), expected.length, { N, r, p });
  return timingSafeEqual(actual, expected);
}

function normalisedMd5(passMd5: string): string {
  return passMd5.trim().toLowerCase();
}

function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

function scryptOf(secret: string, salt: Buffer, keyLength: number, cost: { N: number; r: number; p: number }): Promise<Buffer> {
  // scrypt needs 128 * N * r bytes; Node refuses past maxmem (32 MiB by default).
  const maxmem = 256 * cost.N * cost.r + 1024 * 1024;
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, keyLength, { ...cost, maxmem }, (error, key) => (error === null ? resolve(key) : reject(error))),
  );
}
