import { addressKey } from './login-throttle';

describe('the address failed logins are counted by', () => {
  it.each([
    ['an IPv4 address', '203.0.113.7', '203.0.113.7'],
    ['an IPv4-mapped IPv6 address, as its IPv4 address', '::ffff:203.0.113.7', '203.0.113.7'],
    ['an IPv6 address, by its /64', '2001:db8:85a3:8d3:1319:8a2e:370:7348', '2001:db8:85a3:8d3::/64'],
    ['another address of the same /64', '2001:0db8:85a3:08d3::1', '2001:db8:85a3:8d3::/64'],
    ['a compressed address', '2001:db8::1', '2001:db8:0:0::/64'],
    ['the loopback', '::1', '0:0:0:0::/64'],
    ['upper case', '2001:DB8::1', '2001:db8:0:0::/64'],
    ['an IPv4 tail', '64:ff9b::192.0.2.1', '64:ff9b:0:0::/64'],
    ['something else, as given (cut to 64 characters)', `host-${'x'.repeat(100)}`, `host-${'x'.repeat(59)}`],
  ])('%s', (_case, ip, key) => {
    expect(addressKey(ip)).toBe(key);
  });
});
