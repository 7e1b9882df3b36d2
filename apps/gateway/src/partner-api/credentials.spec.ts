import { basicAuthMatches, hashApiKey, sameSecret } from './credentials';

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
