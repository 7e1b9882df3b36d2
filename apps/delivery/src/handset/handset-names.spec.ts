import { HANDSET_NAME_RULES, handsetKindOf } from './handset-names';

describe('handset names', () => {
  it.each(HANDSET_NAME_RULES.flatMap((rule) => rule.examples.map((example) => [example, rule.kind] as const)))('%p is a %s', (name, kind) => {
    expect(handsetKindOf(name)).toBe(kind);
  });

  it.each([
    // what delivery reports and partners send for today's smartphones
    'iPhoneOS',
    'Apple iPhone',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X)',
    'iOS17',
    'SM-S918B',
    'SM-G991U',
    'http://wap.samsungmobile.com/uaprof/SM-S928B.xml',
    'Pixel 8',
    'Google Pixel 7a',
    'Samsung Galaxy Z Flip5',
    'Dalvik/2.1.0 (Linux; U; Android 13; moto g54 5G)',
    'Xiaomi 14',
    'vivo X100',
    'ANDROID',
  ])('%p is a smartphone', (name) => {
    expect(handsetKindOf(name)).toBe('smartphone');
  });

  it.each(['Nokia S40', 'Nokia 6300 4G KaiOS', 'Nokia 2780 Flip', 'SM-B310E', 'basic-phone', 'Alcatel Go Flip 3', 'Series 30+'])('%p is a feature phone', (name) => {
    expect(handsetKindOf(name)).toBe('feature-phone');
  });

  it.each([null, undefined, '', 'unknown-device', 'motol7c', 'Nokia', 'BIOS', 'Kiosk terminal', 'Honorable mention'])('%p says neither', (name) => {
    expect(handsetKindOf(name)).toBeNull();
  });
});
