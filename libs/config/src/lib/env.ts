import { z } from 'zod';

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates environment variables against a schema and returns the typed result. Throws one
 * ConfigError listing every bad variable by name, so a misconfigured process refuses to boot
 * with a message an operator can act on.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  // An empty variable (`GATEWAY_PORT=`) means "not set": its default applies, not Number('') = 0.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = schema.safeParse(present);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`),
  );
}

const port = z.coerce.number().int().min(0).max(65535);

/** Variables every process of the fleet reads. */
export const commonEnv = {
  /**
   * production turns on the production checks (production.ts): a dev default, a placeholder or a
   * missing secret stops the process. Anything but these three is a typo, not a fourth mode.
   */
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: z
    .string({ error: 'is required (postgresql://user@host:port/db)' })
    .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL'),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL').default('redis://127.0.0.1:6379'),
  /** One BullMQ key prefix for every producer, worker and Bull Board. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, - and _ only')
    .default('mmsgw'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'log', 'debug', 'verbose']).default('log'),
  /** JSON logs for machines, or readable ones for a terminal. */
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
} as const;

export const portVariable = port;

/** How much a queue worker yields the CPU to the gateway on shared cores (nice value, 0 = not at all). */
export const workerNicenessVariable = z.coerce.number().int().min(0).max(19).default(10);

export const booleanVariable = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
