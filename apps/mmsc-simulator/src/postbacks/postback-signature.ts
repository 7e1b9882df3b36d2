import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * X-Postback-Signature: `v1=<hex HMAC-SHA256(account secret, "<X-Postback-Timestamp>.<raw body>")>`.
 * Checked over the exact bytes received, as a partner must (a re-encoded body would not match).
 * Several `v1=` entries, comma-separated, are each tried: a sender rotating its secret may send two.
 */
export type SignatureState = 'valid' | 'invalid' | 'missing' | 'unchecked';

export interface SignedRequest {
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
  readonly body: Buffer;
}

/** `secret` undefined: nothing to check against (MMSC_SIM_POSTBACK_SECRET unset). */
export function checkSignature(secret: string | undefined, request: SignedRequest): SignatureState {
  if (request.signature === undefined || request.signature.trim() === '') return 'missing';
  if (secret === undefined) return 'unchecked';
  if (request.timestamp === undefined) return 'invalid';
  const expected = postbackSignature(secret, request.timestamp, request.body);
  const given = request.signature
    .split(',')
    .map((entry) => /^\s*v1=([0-9a-fA-F]{64})\s*$/.exec(entry)?.[1])
    .filter((hex): hex is string => hex !== undefined)
    .map((hex) => Buffer.from(hex, 'hex'));
  return given.some((digest) => timingSafeEqual(digest, expected)) ? 'valid' : 'invalid';
}

/** The HMAC bytes a sender with this secret puts in `v1=` (as hex). */
function postbackSignature(secret: string, timestamp: string, body: Buffer): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`, 'utf8').update(body).digest();
}
