import type { ComposedMms } from '../../compose/mms';
import { MmsTransport, PermanentTransportError, SubmitResult, SubmitRoute } from '../mms-transport';
import { ConnectorRateLimiter } from './connector-rate-limiter';
import { Mm7Connector } from './mm7-connector';
import { Mm7Transport } from './mm7-transport.adapter';

/**
 * MM7 with several MMSC connectors: the route (from the recipient's country, carrier_routes)
 * names the connector; each connector keeps its own agreed rate across all delivery processes.
 */
export class Mm7Router implements MmsTransport {
  private readonly transports: ReadonlyMap<string, { connector: Mm7Connector; transport: Mm7Transport }>;

  constructor(
    connectors: readonly Mm7Connector[],
    private readonly limiter: ConnectorRateLimiter,
  ) {
    this.transports = new Map(connectors.map((connector) => [connector.name, { connector, transport: new Mm7Transport(connector) }]));
  }

  async submit(mms: ComposedMms, route?: SubmitRoute): Promise<SubmitResult> {
    const name = route?.connector ?? 'default';
    const entry = this.transports.get(name);
    if (entry === undefined) throw new PermanentTransportError(`no MM7 connector named ${name} is configured`);
    await this.limiter.take(entry.connector.name, entry.connector.maxPerSecond);
    return entry.transport.submit(mms);
  }

  close(): void {
    this.limiter.close();
    for (const { transport } of this.transports.values()) transport.close();
  }
}
