import type { ComposedMms } from '../../compose/mms';
import type { CarrierLimits } from '../../handset/handset-profiles';
import { PermanentTransportError, RoutedMmsTransport, SubmitResult, SubmitRoute, SubmitSlot } from '../mms-transport';
import { ConnectorRateLimiter } from './connector-rate-limiter';
import { Mm7Connector } from './mm7-connector';
import { Mm7Transport, SubmitObserver } from './mm7-transport.adapter';

/**
 * MM7 with several MMSC connectors: the route (from the recipient's country, carrier_routes)
 * names the connector; each connector keeps its own agreed rate across all delivery processes,
 * and has its own message size limit and class for unknown handsets.
 */
export class Mm7Router implements RoutedMmsTransport {
  private readonly transports: ReadonlyMap<string, { connector: Mm7Connector; transport: Mm7Transport }>;

  constructor(
    connectors: readonly Mm7Connector[],
    private readonly limiter: ConnectorRateLimiter,
    observe?: SubmitObserver,
  ) {
    this.transports = new Map(connectors.map((connector) => [connector.name, { connector, transport: new Mm7Transport(connector, observe) }]));
  }

  limitsFor(route: SubmitRoute): CarrierLimits {
    const { connector } = this.entryFor(route);
    return { maxMessageBytes: connector.maxMessageBytes, unknownHandsetClass: connector.unknownHandsetClass };
  }

  async takeSlot(route: SubmitRoute): Promise<SubmitSlot> {
    const { connector } = this.entryFor(route);
    await this.limiter.take(connector.name, connector.maxPerSecond);
    return { route };
  }

  async submit(mms: ComposedMms, slot: SubmitSlot): Promise<SubmitResult> {
    return this.entryFor(slot.route).transport.submit(mms);
  }

  private entryFor(route: SubmitRoute): { connector: Mm7Connector; transport: Mm7Transport } {
    const name = route.connector;
    const entry = this.transports.get(name);
    if (entry === undefined) throw new PermanentTransportError(`no MM7 connector named ${name} is configured`);
    return entry;
  }

  close(): void {
    this.limiter.close();
    for (const { transport } of this.transports.values()) transport.close();
  }
}
