import { EXAMPLE_POSTBACK, signatureHeader } from '../../test/postback-requests';
import { checkSignature } from './postback-signature';

const secret = 'whsec-demo';
const timestamp = '1714572231';
const body = Buffer.from(EXAMPLE_POSTBACK);
const signed = signatureHeader(secret, timestamp, body);

describe('checkSignature', () => {
  it('is valid for HMAC-SHA256(secret, "<timestamp>.<body>") in v1=, in either case of hex', () => {
    expect(checkSignature(secret, { timestamp, signature: signed, body })).toBe('valid');
    expect(checkSignature(secret, { timestamp, signature: signed.toUpperCase().replace('V1=', 'v1='), body })).toBe('valid');
  });

  it('is invalid for another secret, another timestamp, or a body changed by one byte', () => {
    expect(checkSignature('other-secret', { timestamp, signature: signed, body })).toBe('invalid');
    expect(checkSignature(secret, { timestamp: '1714572232', signature: signed, body })).toBe('invalid');
    expect(checkSignature(secret, { timestamp, signature: signed, body: Buffer.from(EXAMPLE_POSTBACK.replace('N102', 'N101')) })).toBe('invalid');
    expect(checkSignature(secret, { timestamp, signature: signed, body: Buffer.concat([body, Buffer.from('\n')]) })).toBe('invalid');
  });

  it('is invalid when malformed or without the timestamp it covers', () => {
    expect(checkSignature(secret, { timestamp, signature: signed.replace('v1=', 'v0='), body })).toBe('invalid');
    expect(checkSignature(secret, { timestamp, signature: `${signed}00`, body })).toBe('invalid');
    expect(checkSignature(secret, { timestamp, signature: 'sha256=abc', body })).toBe('invalid');
    expect(checkSignature(secret, { timestamp: undefined, signature: signed, body })).toBe('invalid');
  });

  it('takes any of several v1= entries (a sender rotating its secret)', () => {
    const old = signatureHeader('old-secret', timestamp, body);
    expect(checkSignature(secret, { timestamp, signature: `${old}, ${signed}`, body })).toBe('valid');
    expect(checkSignature(secret, { timestamp, signature: `${old},v1=zz`, body })).toBe('invalid');
  });

  it('is missing without the header, and unchecked without a secret', () => {
    expect(checkSignature(secret, { timestamp, signature: undefined, body })).toBe('missing');
    expect(checkSignature(secret, { timestamp, signature: ' ', body })).toBe('missing');
    expect(checkSignature(undefined, { timestamp, signature: undefined, body })).toBe('missing');
    expect(checkSignature(undefined, { timestamp, signature: signed, body })).toBe('unchecked');
    expect(checkSignature(undefined, { timestamp, signature: 'garbage', body })).toBe('unchecked');
  });
});
