import { loadGatewayConfig } from '../config/gateway.config';
import { connectorAuthenticatedBy, inboundCredentialsOf } from './inbound-credentials';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;

describe('inbound MM7 credentials, one per connector', () => {
  const config = loadGatewayConfig({
    DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/mmsgw',
    MM7_INBOUND_USERNAME: 'mmsc',
    MM7_INBOUND_PASSWORD: 'default-inbound-secret',
    MM7_CONNECTORS: JSON.stringify([
      { name: 'uk', url: 'https://mmsc.example/mm7', inboundUsername: 'uk-mmsc', inboundPassword: 'uk-inbound-secret' },
      { name: 'fr', url: 'https://mmsc.example.fr/mm7' },
    ]),
  });
  const credentials = inboundCredentialsOf(config);

  it('are the default connector from MM7_INBOUND_*, then each connector of MM7_CONNECTORS that has them', () => {
    expect(credentials).toEqual([
      { connector: 'default', username: 'mmsc', password: 'default-inbound-secret' },
      { connector: 'uk', username: 'uk-mmsc', password: 'uk-inbound-secret' },
    ]);
  });

  it.each<[string, string | undefined, string | undefined]>([
    ["the default connector's pair", basic('mmsc', 'default-inbound-secret'), 'default'],
    ["the uk connector's pair", basic('uk-mmsc', 'uk-inbound-secret'), 'uk'],
    ["one connector's user with another's password", basic('uk-mmsc', 'default-inbound-secret'), undefined],
    ['a wrong password', basic('mmsc', 'default-inbound-secreT'), undefined],
    ['a password with something after it', basic('mmsc', 'default-inbound-secret2'), undefined],
    ['a connector without inbound credentials, by name', basic('fr', ''), undefined],
    ['no header', undefined, undefined],
    ['another scheme', `Bearer ${Buffer.from('mmsc:default-inbound-secret').toString('base64')}`, undefined],
  ])('%s names %s', (_case, header, connector) => {
    expect(connectorAuthenticatedBy(header, credentials)).toBe(connector);
  });

  it('are none without MM7_INBOUND_PASSWORD and connector credentials: every report is refused', () => {
    const none = inboundCredentialsOf(loadGatewayConfig({ DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/mmsgw' }));
    expect(none).toEqual([]);
    expect(connectorAuthenticatedBy(basic('mmsc', ''), none)).toBeUndefined();
  });
});
