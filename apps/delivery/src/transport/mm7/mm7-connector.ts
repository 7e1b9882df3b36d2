import { z } from 'zod';

/** Namespaces of TS 23.140's MM7 schema, by the MM7Version an MMSC speaks. */
export const MM7_NAMESPACES = {
  '6.8.0': 'http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4',
  '5.3.0': 'http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-5-MM7-1-0',
} as const;

/** One MMSC connector: where and how we submit (configuration, never code). */
export const mm7ConnectorSchema = z.object({
  name: z.string().min(1).default('default'),
  url: z.string().url(),
  username: z.string().optional(),
  password: z.string().optional(),
  vaspId: z.string().min(1).default('mmsgw'),
  vasId: z.string().min(1).default('tickets'),
  version: z.enum(['6.8.0', '5.3.0']).default('6.8.0'),
  timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  maxPerSecond: z.number().int().min(1).max(10_000).default(50),
  /** Some MMSCs want `+` before international numbers, others not. */
  numberPrefix: z.enum(['', '+']).default(''),
  /** Status codes worth a retry besides the 3xxx class and 4006 (service unavailable). */
  retryableCodes: z.array(z.number().int()).default([3000, 3001, 3100, 3500, 4006]),
});

export type Mm7Connector = z.output<typeof mm7ConnectorSchema>;
