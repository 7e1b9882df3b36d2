import { ConfigError } from '@mms/config';
import { httpServerTimeoutsOf, loadGatewayConfig } from './gateway.config';

const BASE = { DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/mmsgw' };

describe('gateway configuration: bounds', () => {
  it('bounds the HTTP server and the database pool by default', () => {
    const config = loadGatewayConfig(BASE);
    expect(httpServerTimeoutsOf(config)).toEqual({ requestTimeout: 30_000, keepAliveTimeout: 65_000, connectionTimeout: 75_000 });
    expect(config).toMatchObject({
      DB_STATEMENT_TIMEOUT_MS: 30_000,
      DB_CONNECT_TIMEOUT_MS: 5_000,
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
    });
    expect(httpServerTimeoutsOf(config)).toEqual({ requestTimeout: 5000, keepAliveTimeout: 7000, connectionTimeout: 9000 });
    expect(config).toMatchObject({ DB_STATEMENT_TIMEOUT_MS: 1500, DB_CONNECT_TIMEOUT_MS: 700 });
  });

  it.each([
    ['no request timeout', { HTTP_REQUEST_TIMEOUT_MS: '0' }, 'HTTP_REQUEST_TIMEOUT_MS'],
    ['a statement timeout of 0 (none)', { DB_STATEMENT_TIMEOUT_MS: '0' }, 'DB_STATEMENT_TIMEOUT_MS'],
    ['a connect timeout in words', { DB_CONNECT_TIMEOUT_MS: 'soon' }, 'DB_CONNECT_TIMEOUT_MS'],
  ])('refuses %s, naming the variable', (_case, env, variable) => {
    expect(() => loadGatewayConfig({ ...BASE, ...env })).toThrow(ConfigError);
    expect(() => loadGatewayConfig({ ...BASE, ...env })).toThrow(new RegExp(`${variable}:`));
  });
});
