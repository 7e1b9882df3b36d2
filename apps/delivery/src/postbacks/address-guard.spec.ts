import type { LookupAddress } from 'node:dns';
import { Resolver, checkLiteralHost, guardedLookup, refusedAddressReason } from './address-guard';

describe('postback address guard', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['0.0.0.0', 'this-network'],
    ['224.0.0.251', 'multicast'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fd00:ec2::254', 'unique local (private, cloud metadata)'],
    ['fe80::1', 'link-local'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'link-local (cloud metadata)'],
    ['64:ff9b::10.0.0.1', 'private'],
  ])('refuses %s (%s)', (address, why) => {
    expect(refusedAddressReason(address)).toBe(why);
  });

  it.each(['93.184.215.14', '172.32.0.1', '8.8.8.8', '2606:4700::6810:84e5', '::ffff:8.8.8.8'])('lets %s through', (address) => {
    expect(refusedAddressReason(address)).toBeUndefined();
  });

  it('checks IP literals in URLs, which connect without a lookup', () => {
    expect(() => checkLiteralHost(new URL('http://127.0.0.1:8080/x'), false)).toThrow('127.0.0.1 is loopback');
    expect(() => checkLiteralHost(new URL('http://[::1]/x'), false)).toThrow('::1 is loopback');
    expect(() => checkLiteralHost(new URL('http://127.0.0.1/x'), true)).not.toThrow();
    expect(() => checkLiteralHost(new URL('https://partner.example/x'), false)).not.toThrow();
  });

  it('refuses a name that resolves to a refused address (localhost)', (done) => {
    guardedLookup(false)('localhost', {}, (error) => {
      expect(error?.message).toMatch(/^localhost resolves to (127\.0\.0\.1|::1) \(loopback\)$/);
      done();
    });
  });

  it('resolves the same name when private networks are allowed', (done) => {
    guardedLookup(true)('localhost', {}, (error, address) => {
      expect(error).toBeNull();
      expect(['127.0.0.1', '::1']).toContain(address);
      done();
    });
  });

  /** A resolver that answers these addresses for every name, as a hostile DNS zone could. */
  const answering =
    (...addresses: string[]): Resolver =>
    (_name, _options, callback) =>
      callback(
        null,
        addresses.map((address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 })),
      );

  it.each([
    [['10.0.0.1'], '10.0.0.1 (private)'],
    [['169.254.169.254'], '169.254.169.254 (link-local (cloud metadata))'],
    [['93.184.215.14', '127.0.0.1'], '127.0.0.1 (loopback)'],
  ])('refuses a name that resolves to %j, all of it', (addresses, why) => {
    const callback = jest.fn();
    guardedLookup(false, answering(...addresses))('partner.example', {}, callback);
    expect(callback.mock.calls[0][0]?.message).toBe(`partner.example resolves to ${why}`);
  });

  it('hands the connection exactly the addresses it checked', () => {
    const one = jest.fn();
    guardedLookup(false, answering('93.184.215.14', '2606:2800:21f:cb07::1'))('partner.example', {}, one);
    expect(one).toHaveBeenCalledWith(null, '93.184.215.14', 4);
    const all = jest.fn();
    guardedLookup(false, answering('93.184.215.14'))('partner.example', { all: true }, all);
    expect(all).toHaveBeenCalledWith(null, [{ address: '93.184.215.14', family: 4 }]);
  });
});
