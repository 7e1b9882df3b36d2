import { ConfigError } from '@mms/config';
import { httpServerTimeoutsOf, loadGatewayConfig } from './gateway.config';

const BASE = { DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/mmsgw' };

describe('gateway configuration: bounds', () => {
  it('bounds the HTTP server, the database pool and failed logins by default', () => {
    const config = loadGatewayConfig(BASE);
    expect(httpServerTimeoutsOf(config)).toEqual({ requestTimeout: 30_000, keepAliveTimeout: 65_000, connectionTimeout: 75_000 });
    expect(config).toMatchObject({
      DB_STATEMENT_TIMEOUT_MS: 30_000,
      DB_CONNECT_TIMEOUT_MS: 5_000,
      LOGIN_THROTTLE_WINDOW_SECONDS: 300,
      LOGIN_FAILURES_PER_ADDRESS: 20,
      LOGIN_FAILURES_PER_KEY_PREFIX: 10,
    });
  });

  it('takes each bound from its variable', () => {
    const config = loadGatewayConfig({
      ...BASE,
      HTTP_REQUEST_TIMEOUT_MS: '5000',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '7000',
      HTTP_CONNECTION_TIMEOUT_MS: '9000',
      DB_STATEMENT_TIMEOUT_MS: '1500',
      DB_CONNECT_TIMEOUT_MS: '700',
      LOGIN_FAILURES_PER_ADDRESS: '0',
    });
    expect(httpServerTimeoutsOf(config)).toEqual({ requestTimeout: 5000, keepAliveTimeout: 7000, connectionTimeout: 9000 });
    expect(config).toMatchObject({ DB_STATEMENT_TIMEOUT_MS: 1500, DB_CONNECT_TIMEOUT_MS: 700, LOGIN_FAILURES_PER_ADDRESS: 0 });
  });

  it.each([
    ['no request timeout', { HTTP_REQUEST_TIMEOUT_MS: '0' }, 'HTTP_REQUEST_TIMEOUT_MS'],
    ['a statement timeout of 0 (none)', { DB_STATEMENT_TIMEOUT_MS: '0' }, 'DB_STATEMENT_TIMEOUT_MS'],
    ['a connect timeout in words', { DB_CONNECT_TIMEOUT_MS: 'soon' }, 'DB_CONNECT_TIMEOUT_MS'],
    ['a negative failure limit', { LOGIN_FAILURES_PER_KEY_PREFIX: '-1' }, 'LOGIN_FAILURES_PER_KEY_PREFIX'],
  ])('refuses %s, naming the variable', (_case, env, variable) => {
    expect(() => loadGatewayConfig({ ...BASE, ...env })).toThrow(ConfigError);
    expect(() => loadGatewayConfig({ ...BASE, ...env })).toThrow(new RegExp(`${variable}:`));
  });
});

describe('gateway configuration: MM7 connectors (inbound credentials)', () => {
  const connectors = (list: unknown[]) => ({ ...BASE, MM7_CONNECTORS: JSON.stringify(list) });

  it("reads each connector's name and inbound credentials, leaving the delivery service's fields to it", () => {
    const config = loadGatewayConfig(
      connectors([
        { name: 'uk', url: 'https://mmsc.example/mm7', maxPerSecond: 20, inboundUsername: 'uk-mmsc', inboundPassword: 'uk-inbound-secret' },
        { name: 'fr', url: 'https://mmsc.example.fr/mm7' },
      ]),
    );
    expect(config.MM7_CONNECTORS).toEqual([
      { name: 'uk', inboundUsername: 'uk-mmsc', inboundPassword: 'uk-inbound-secret' },
      { name: 'fr' },
    ]);
  });

  it.each([
    ['not JSON', '[{', 'must be a JSON array of connectors'],
    ['a user without a password', JSON.stringify([{ name: 'uk', inboundUsername: 'u' }]), 'inboundUsername and inboundPassword go together'],
    ['a short password', JSON.stringify([{ name: 'uk', inboundUsername: 'u', inboundPassword: 'short' }]), 'at least 8 characters'],
    ['a user with a colon', JSON.stringify([{ name: 'uk', inboundUsername: 'a:b', inboundPassword: 'long enough' }]), 'must not contain ":"'],
    [
      'two connectors with one user',
      JSON.stringify([
        { name: 'uk', inboundUsername: 'same', inboundPassword: 'long enough 1' },
        { name: 'fr', inboundUsername: 'same', inboundPassword: 'long enough 2' },
      ]),
      "connector fr: inboundUsername is uk's already",
    ],
  ])('refuses %s', (_case, value, message) => {
    expect(() => loadGatewayConfig({ ...BASE, MM7_CONNECTORS: value })).toThrow(message);
  });

  it("refuses a connector that takes the default connector's user (MM7_INBOUND_USERNAME)", () => {
    expect(() =>
      loadGatewayConfig({
        ...connectors([{ name: 'uk', inboundUsername: 'mmsc', inboundPassword: 'long enough' }]),
        MM7_INBOUND_PASSWORD: 'default-inbound-secret',
      }),
    ).toThrow("MM7_CONNECTORS: connector uk: inboundUsername is default's already");
  });
});
