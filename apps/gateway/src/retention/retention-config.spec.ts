import { ConfigError } from '@mms/config';
import { loadGatewayConfig } from '../config/gateway.config';

const base = { DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/mmsgw' };

describe('the retention settings', () => {
  it('default to an hourly pass: finished messages 90 days, SUBMITTED 180, reports and images 30, jobs a week', () => {
    expect(loadGatewayConfig(base)).toMatchObject({
      RETENTION_INTERVAL_MS: 3_600_000,
      RETENTION_MESSAGES_DAYS: 90,
      RETENTION_SUBMITTED_DAYS: 180,
      RETENTION_EVENTS_DAYS: 90,
      RETENTION_DELIVERY_REPORTS_DAYS: 30,
      RETENTION_IMAGES_DAYS: 30,
      RETENTION_JOBS_HOURS: 168,
    });
  });

  it('take 0 for off (the pass) or kept (each kind)', () => {
    const names = ['RETENTION_INTERVAL_MS', 'RETENTION_MESSAGES_DAYS', 'RETENTION_SUBMITTED_DAYS', 'RETENTION_EVENTS_DAYS', 'RETENTION_DELIVERY_REPORTS_DAYS', 'RETENTION_IMAGES_DAYS', 'RETENTION_JOBS_HOURS'];
    const config = loadGatewayConfig({ ...base, ...Object.fromEntries(names.map((name) => [name, '0'])) });
    expect(names.map((name) => config[name as keyof typeof config])).toEqual(names.map(() => 0));
  });

  it.each([
    ['RETENTION_MESSAGES_DAYS', '29', 'must be 0 (kept) or 30 to 3650'],
    ['RETENTION_SUBMITTED_DAYS', '7', 'must be 0 (kept) or 30 to 3650'],
    ['RETENTION_IMAGES_DAYS', '-1', 'must be 0 (kept) or 1 to 3650'],
    ['RETENTION_INTERVAL_MS', '1000', 'must be 0 (off) or 60000 to 86400000'],
  ])('refuse %s=%s: %s', (name, value, problem) => {
    expect(() => loadGatewayConfig({ ...base, [name]: value })).toThrow(new ConfigError([`${name}: ${problem}`]));
  });
});
