import { createHash, scryptSync } from 'node:crypto';
import { LEGACY_SCRYPT, basicAuthMatches, basicAuthOf, hashApiKey, hashLegacyPassword, isBareMd5, sameSecret, verifyLegacyPassword } from './credentials';

describe('hashApiKey', () => {
  it.each<[string, string, string]>([
    ['the empty string (FIPS 180-2 vector)', '', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['"abc" (FIPS 180-2 vector)', 'abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    [
      'the 448-bit FIPS 180-2 vector',
      'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq',
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    ],
    ["the docs' example API key", 'qTFkykO9JTfahCOqJ0V2Wf5Cg1t8iWlZ', '2c2387481c3eb1169e9e2e1c3123f7382d04c720de4c902b9f61846a2ec7553c'],
    ['non-ASCII text, hashed as UTF-8', 'Café €', 'f3b5014f7877e60b964d6070c326d1cf45e9d473c23b7278c5e2dfb4b00a2e15'],
  ])('SHA-256 hex of %s', (_case, key, digest) => {
    expect(hashApiKey(key)).toBe(digest);
  });

  it('is 64 lower-case hex digits and differs for keys that differ only in case', () => {
    const upper = hashApiKey('QTFKYKO9JTFAHCOQJ0V2WF5CG1T8IWLZ');
    expect(upper).toMatch(/^[0-9a-f]{64}$/);
    expect(upper).not.toBe(hashApiKey('qTFkykO9JTfahCOqJ0V2Wf5Cg1t8iWlZ'));
  });
});

describe('sameSecret', () => {
  it.each<[string, string, string, boolean]>([
    ['identical strings', 'secret', 'secret', true],
    ['two empty strings', '', '', true],
    ['identical digests', hashApiKey('k'), hashApiKey('k'), true],
    ['same length, one character different', 'secret', 'secreT', false],
    ['a prefix', 'secret', 'secret2', false],
    ['empty against non-empty', '', 'x', false],
    ['different digests', hashApiKey('k1'), hashApiKey('k2'), false],
    ['same UTF-16 length, different UTF-8 length', 'é', 'e', false],
    ['NFC against NFD (no normalisation)', '\u00e9', 'e\u0301', false],
    ['identical non-ASCII strings', 'pässwörd', 'pässwörd', true],
  ])('%s', (_case, a, b, expected) => {
    expect(sameSecret(a, b)).toBe(expected);
    expect(sameSecret(b, a)).toBe(expected);
  });
});

describe('basicAuthMatches', () => {
  const header = `Basic ${Buffer.from('mmsc:s3cret-pass').toString('base64')}`;

  it('accepts exactly the configured user and password', () => {
    expect(basicAuthMatches(header, 'mmsc', 's3cret-pass')).toBe(true);
  });

  it.each([
    ['no header', undefined],
    ['another password', `Basic ${Buffer.from('mmsc:other').toString('base64')}`],
    ['another user', `Basic ${Buffer.from('admin:s3cret-pass').toString('base64')}`],
    ['another scheme', header.replace('Basic', 'Bearer')],
  ])('refuses %s', (_case, value) => {
    expect(basicAuthMatches(value, 'mmsc', 's3cret-pass')).toBe(false);
  });
});

describe('sameSecret over digests', () => {
  it('compares secrets of any length without throwing (timingSafeEqual sees 32 bytes each time)', () => {
    expect(sameSecret('a'.repeat(10_000), 'a'.repeat(10_000))).toBe(true);
    expect(sameSecret('a'.repeat(10_000), 'a')).toBe(false);
    expect(sameSecret('', 'a'.repeat(10_000))).toBe(false);
  });
});

describe('basicAuthOf', () => {
  const encode = (text: string) => `Basic ${Buffer.from(text, 'utf8').toString('base64')}`;

  it.each<[string, string | undefined, { username: string; password: string } | undefined]>([
    ['a user and password', encode('mmsc:s3cret'), { username: 'mmsc', password: 's3cret' }],
    ['a password with colons (only the first one splits)', encode('mmsc:a:b:c'), { username: 'mmsc', password: 'a:b:c' }],
    ['an empty password', encode('mmsc:'), { username: 'mmsc', password: '' }],
    ['the scheme in another case', encode('mmsc:x').replace('Basic', 'basic'), { username: 'mmsc', password: 'x' }],
    ['UTF-8 credentials', encode('usér:pässwörd'), { username: 'usér', password: 'pässwörd' }],
    ['no header', undefined, undefined],
    ['no colon', encode('mmsc'), undefined],
    ['another scheme', encode('mmsc:x').replace('Basic', 'Bearer'), undefined],
    ['no credentials after the scheme', 'Basic ', undefined],
    ['not base64', 'Basic !!!', undefined],
  ])('%s', (_case, header, expected) => {
    expect(basicAuthOf(header)).toEqual(expected);
  });
});

describe('the legacy password in its scrypt form', () => {
  const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');
  const pass = md5('legacy-pass');

  it('is scrypt$N$r$p$salt$hash with the interactive-login cost, salted afresh each time, and never contains the md5', async () => {
    const first = await hashLegacyPassword(pass);
    const second = await hashLegacyPassword(pass);
    expect(first).toMatch(new RegExp(`^scrypt\\$${LEGACY_SCRYPT.N}\\$${LEGACY_SCRYPT.r}\\$${LEGACY_SCRYPT.p}\\$[A-Za-z0-9_-]{22}\\$[A-Za-z0-9_-]{43}$`));
    expect(second).not.toBe(first);
    expect(first).not.toContain(pass);
    expect(isBareMd5(first)).toBe(false);
  });

  it('matches the md5 it was made from, in either case of hex, and nothing else', async () => {
    const stored = await hashLegacyPassword(pass);
    expect(await verifyLegacyPassword(stored, pass)).toBe(true);
    expect(await verifyLegacyPassword(stored, pass.toUpperCase())).toBe(true);
    expect(await verifyLegacyPassword(stored, md5('legacy-pasS'))).toBe(false);
    expect(await verifyLegacyPassword(stored, '')).toBe(false);
    // The password itself is not what PASS carries.
    expect(await verifyLegacyPassword(stored, 'legacy-pass')).toBe(false);
  });

  it('reads the parameters from the value: a hash made with other costs still verifies', async () => {
    const salt = Buffer.from('0123456789abcdef');
    const hash = scryptSync(pass, salt, 32, { N: 1024, r: 4, p: 2 });
    const stored = `scrypt$1024$4$2$${salt.toString('base64url')}$${hash.toString('base64url')}`;
    expect(await verifyLegacyPassword(stored, pass)).toBe(true);
    expect(await verifyLegacyPassword(stored.replace('$4$2$', '$4$1$'), pass)).toBe(false);
  });

  it('still reads a bare md5 (a row not converted yet), in constant time, in either case', async () => {
    expect(isBareMd5(pass)).toBe(true);
    expect(isBareMd5(pass.toUpperCase())).toBe(true);
    expect(await verifyLegacyPassword(pass, pass.toUpperCase())).toBe(true);
    expect(await verifyLegacyPassword(pass.toUpperCase(), pass)).toBe(true);
    expect(await verifyLegacyPassword(pass, md5('other'))).toBe(false);
  });

  it.each([
    ['an empty value', ''],
    ['another scheme', `bcrypt$10$${'a'.repeat(53)}`],
    ['N not a power of two', 'scrypt$1000$8$1$MDEyMzQ1Njc4OWFiY2RlZg$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['N past 2^20 (gigabytes of memory)', 'scrypt$4194304$8$1$MDEyMzQ1Njc4OWFiY2RlZg$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['r past 32', 'scrypt$16384$64$1$MDEyMzQ1Njc4OWFiY2RlZg$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['a cut-short value', 'scrypt$16384$8$1$MDEyMzQ1Njc4OWFiY2RlZg'],
    ['31 hex digits', pass.slice(1)],
  ])('matches nothing for %s', async (_case, stored) => {
    expect(await verifyLegacyPassword(stored, pass)).toBe(false);
  });
});
