import { createHash, timingSafeEqual } from 'node:crypto';

/** API keys are stored as SHA-256 hex digests; the lookup is by digest, never by the key. */
export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex');
}

/** Constant-time comparison of two secrets (digests, basic-auth headers). */
export function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Whether an Authorization header carries exactly these basic-auth credentials (constant time). */
export function basicAuthMatches(header: string | undefined, username: string, password: string): boolean {
  const expected = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
  return sameSecret(header ?? '', expected);
}
