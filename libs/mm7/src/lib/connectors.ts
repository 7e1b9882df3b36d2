import { z } from 'zod';

/**
 * What an MMSC connector adds for the delivery reports its MMSC sends us: the basic-auth
 * credentials it uses on /mm7/delivery-reports. The delivery service's connector schema and the
 * gateway's reading of MM7_CONNECTORS both take them from here, so one JSON entry configures both
 * directions of a connector.
 */
export const mm7InboundCredentialFields = {
  inboundUsername: z.string().min(1).max(200).regex(/^[^:]*$/, 'must not contain ":" (basic auth)').optional(),
  inboundPassword: z.string().min(8, 'must be at least 8 characters').max(1000).optional(),
};

/** Both or neither: a connector whose reports we accept names a user and a password. */
export function inboundCredentialsPaired(connector: { inboundUsername?: string; inboundPassword?: string }): boolean {
  return (connector.inboundUsername === undefined) === (connector.inboundPassword === undefined);
}

export const INBOUND_PAIR_MESSAGE = 'inboundUsername and inboundPassword go together';

/**
 * A connector as the gateway reads it from MM7_CONNECTORS: its name and inbound credentials
 * (the other fields are the delivery service's, which checks them).
 */
export const mm7InboundConnectorSchema = z
  .object({ name: z.string().min(1).default('default'), ...mm7InboundCredentialFields })
  .refine(inboundCredentialsPaired, { message: INBOUND_PAIR_MESSAGE });

/** An environment variable holding a JSON array of connectors (MM7_CONNECTORS), each checked by `item`. */
export function connectorsVariable<T extends z.ZodType>(item: T) {
  return z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON array of connectors' });
        return z.NEVER;
      }
    })
    .pipe(z.array(item));
}
