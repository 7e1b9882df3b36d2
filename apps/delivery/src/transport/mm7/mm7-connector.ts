import { z } from 'zod';
import { INBOUND_PAIR_MESSAGE, MM7_VERSIONS, inboundCredentialsPaired, mm7InboundCredentialFields } from '@mms/mm7';
import { DEFAULT_CARRIER_LIMITS, HANDSET_CLASS_NAMES } from '../../handset/handset-profiles';

/** One MMSC connector: where and how we submit (configuration, never code). */
export const mm7ConnectorSchema = z.object({
  name: z.string().min(1).default('default'),
  url: z.string().url(),
  username: z.string().optional(),
  password: z.string().optional(),
  vaspId: z.string().min(1).default('mmsgw'),
  vasId: z.string().min(1).default('tickets'),
  version: z.enum(MM7_VERSIONS).default('6.8.0'),
  timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  maxPerSecond: z.number().int().min(1).max(10_000).default(50),
  /** Some MMSCs want `+` before international numbers, others not. */
  numberPrefix: z.enum(['', '+']).default(''),
  /** Status codes worth a retry besides the 3xxx class and 4006 (service unavailable). */
  retryableCodes: z.array(z.number().int()).default([3000, 3001, 3100, 3500, 4006]),
  /** The carrier's largest message in bytes: it wins over any handset class (docs/handsets.md). */
  maxMessageBytes: z.number().int().min(1024).max(100_000_000).optional(),
  /** The handset class for a phone neither DEVICE nor a delivery report named. */
  unknownHandsetClass: z.enum(HANDSET_CLASS_NAMES).default(DEFAULT_CARRIER_LIMITS.unknownHandsetClass),
  /**
   * The basic auth this connector's MMSC uses for its delivery reports (read by the gateway from
   * the same MM7_CONNECTORS): a report is matched only to messages this connector sent.
   */
  ...mm7InboundCredentialFields,
}).refine(inboundCredentialsPaired, { message: INBOUND_PAIR_MESSAGE });

export type Mm7Connector = z.output<typeof mm7ConnectorSchema>;

/** What `messages.transport` says of a message this connector took: reports are matched by it. */
export function mm7TransportName(connector: string): string {
  return `mm7:${connector}`;
}
