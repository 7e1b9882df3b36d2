import type { GatewayConfig } from '../config/gateway.config';
import { basicAuthOf, sameSecret } from '../partner-api/credentials';

/** The basic auth one connector's MMSC uses for its delivery reports. */
export interface InboundCredential {
  readonly connector: string;
  readonly username: string;
  readonly password: string;
}

/**
 * Every connector whose reports we accept: `default` from MM7_INBOUND_USERNAME / PASSWORD (the
 * delivery service's MM7_URL connector), then each MM7_CONNECTORS entry with inbound credentials.
 * A connector without them gets no reports in: they would be refused (401).
 */
export function inboundCredentialsOf(config: GatewayConfig): InboundCredential[] {
  const credentials: InboundCredential[] = [];
  if (config.MM7_INBOUND_PASSWORD !== undefined) {
    credentials.push({ connector: 'default', username: config.MM7_INBOUND_USERNAME, password: config.MM7_INBOUND_PASSWORD });
  }
  for (const connector of config.MM7_CONNECTORS ?? []) {
    if (connector.inboundUsername !== undefined && connector.inboundPassword !== undefined) {
      credentials.push({ connector: connector.name, username: connector.inboundUsername, password: connector.inboundPassword });
    }
  }
  return credentials;
}

/**
 * The connector whose credentials an Authorization header carries, or undefined. Every
 * configured pair is compared, each in constant time over digests, whatever matched: the time
 * taken tells neither which user nor how much of a password was right.
 */
export function connectorAuthenticatedBy(header: string | undefined, credentials: readonly InboundCredential[]): string | undefined {
  const given = basicAuthOf(header);
  if (given === undefined) return undefined;
  let found: string | undefined;
  for (const credential of credentials) {
    const user = sameSecret(given.username, credential.username);
    const password = sameSecret(given.password, credential.password);
    if (user && password && found === undefined) found = credential.connector;
  }
  return found;
}
