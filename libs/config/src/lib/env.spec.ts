import { z } from 'zod';
import { booleanVariable, commonEnv, ConfigError, loadConfig, portVariable } from './env';

const schema = z.object(commonEnv);
const DATABASE_URL = 'postgresql://mms@127.0.0.1:5432/mms';

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError, the configuration was accepted');
}

describe('loadConfig with the common variables', () => {
  it('treats an empty variable as unset, so its default applies', () => {
    const config = loadConfig(schema, { DATABASE_URL, QUEUE_PREFIX: '', SHUTDOWN_TIMEOUT_MS: '' });
    expect(config.QUEUE_PREFIX).toBe('mmsgw');
    expect(config.SHUTDOWN_TIMEOUT_MS).toBe(10_000);
  });

  it('returns typed values with every default', () => {
    expect(loadConfig(schema, { DATABASE_URL })).toStrictEqual({
      NODE_ENV: 'development',
      DATABASE_URL,
      REDIS_URL: 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: 'mmsgw',
      LOG_LEVEL: 'log',
      LOG_FORMAT: 'json',
      SHUTDOWN_TIMEOUT_MS: 10_000,
    });
  });

  it('converts and keeps given values, and drops variables it does not know', () => {
    const env = {
      DATABASE_URL: 'postgres://u:p@db:5432/fleet?schema=public',
      REDIS_URL: 'rediss://cache:6380/2',
      QUEUE_PREFIX: 'test_run-42',
      LOG_LEVEL: 'verbose',
      LOG_FORMAT: 'pretty',
      SHUTDOWN_TIMEOUT_MS: '2500',
      PATH: '/usr/bin',
      HOME: '/root',
    };
    expect(loadConfig(schema, env)).toStrictEqual({
      NODE_ENV: 'development',
      DATABASE_URL: 'postgres://u:p@db:5432/fleet?schema=public',
      REDIS_URL: 'rediss://cache:6380/2',
      QUEUE_PREFIX: 'test_run-42',
      LOG_LEVEL: 'verbose',
      LOG_FORMAT: 'pretty',
      SHUTDOWN_TIMEOUT_MS: 2500,
    });
  });

  it.each<[string, Record<string, string>, string]>([
    ['a missing DATABASE_URL', {}, 'DATABASE_URL: is required (postgresql://user@host:port/db)'],
    ['a MySQL DATABASE_URL', { DATABASE_URL: 'mysql://u@h/db' }, 'DATABASE_URL: must be a postgresql:// URL'],
    ['an http REDIS_URL', { DATABASE_URL, REDIS_URL: 'http://cache:6379' }, 'REDIS_URL: must be a redis:// URL'],
    ['a QUEUE_PREFIX with a colon', { DATABASE_URL, QUEUE_PREFIX: 'mms:gw' }, 'QUEUE_PREFIX: letters, digits, - and _ only'],
    ['a QUEUE_PREFIX of 41 characters', { DATABASE_URL, QUEUE_PREFIX: 'a'.repeat(41) }, 'QUEUE_PREFIX: letters, digits, - and _ only'],
    ['a QUEUE_PREFIX with a colon', { DATABASE_URL, QUEUE_PREFIX: 'mms:gw' }, 'QUEUE_PREFIX: letters, digits, - and _ only'],
    ['an unknown LOG_LEVEL', { DATABASE_URL, LOG_LEVEL: 'trace' }, 'LOG_LEVEL: Invalid option: expected one of "fatal"|"error"|"warn"|"log"|"debug"|"verbose"'],
    ['an unknown LOG_FORMAT', { DATABASE_URL, LOG_FORMAT: 'xml' }, 'LOG_FORMAT: Invalid option: expected one of "json"|"pretty"'],
    ['a non-numeric SHUTDOWN_TIMEOUT_MS', { DATABASE_URL, SHUTDOWN_TIMEOUT_MS: 'soon' }, 'SHUTDOWN_TIMEOUT_MS: Invalid input: expected number, received NaN'],
    ['a SHUTDOWN_TIMEOUT_MS below 100', { DATABASE_URL, SHUTDOWN_TIMEOUT_MS: '99' }, 'SHUTDOWN_TIMEOUT_MS: Too small: expected number to be >=100'],
    ['a SHUTDOWN_TIMEOUT_MS above 120000', { DATABASE_URL, SHUTDOWN_TIMEOUT_MS: '120001' }, 'SHUTDOWN_TIMEOUT_MS: Too big: expected number to be <=120000'],
    ['a fractional SHUTDOWN_TIMEOUT_MS', { DATABASE_URL, SHUTDOWN_TIMEOUT_MS: '1000.5' }, 'SHUTDOWN_TIMEOUT_MS: Invalid input: expected int, received number'],
  ])('refuses %s, naming the variable', (_case, env, problem) => {
    const error = configError(() => loadConfig(schema, env));
    expect(error.problems).toStrictEqual([problem]);
    expect(error.message).toBe(`invalid configuration:\n  - ${problem}`);
  });

  it('lists every bad variable in one error', () => {
    const error = configError(() =>
      loadConfig(schema, {
        DATABASE_URL: 'mysql://x',
        REDIS_URL: 'http://x',
        QUEUE_PREFIX: 'a:b',
        LOG_LEVEL: 'trace',
        LOG_FORMAT: 'xml',
        SHUTDOWN_TIMEOUT_MS: 'abc',
      }),
    );
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ConfigError');
    expect(error.problems).toStrictEqual([
      'DATABASE_URL: must be a postgresql:// URL',
      'REDIS_URL: must be a redis:// URL',
      'QUEUE_PREFIX: letters, digits, - and _ only',
      'LOG_LEVEL: Invalid option: expected one of "fatal"|"error"|"warn"|"log"|"debug"|"verbose"',
      'LOG_FORMAT: Invalid option: expected one of "json"|"pretty"',
      'SHUTDOWN_TIMEOUT_MS: Invalid input: expected number, received NaN',
    ]);
    expect(error.message).toBe(`invalid configuration:\n${error.problems.map((p) => `  - ${p}`).join('\n')}`);
  });

  it('reads process.env when no environment is given', () => {
    const name = 'MMS_ENV_SPEC_PROBE';
    const previous = process.env[name];
    process.env[name] = '42';
    try {
      expect(loadConfig(z.object({ [name]: z.coerce.number() }))).toStrictEqual({ [name]: 42 });
    } finally {
      if (previous === undefined) delete process.env[name];
      else process.env[name] = previous;
    }
  });

  it('names a problem with the whole environment "(environment)"', () => {
    const error = configError(() => loadConfig(z.object({}).refine(() => false, 'inconsistent'), {}));
    expect(error.problems).toStrictEqual(['(environment): inconsistent']);
  });
});

describe('portVariable', () => {
  const ports = z.object({ PORT: portVariable });

  it.each<[string, number]>([
    ['0', 0],
    ['80', 80],
    ['3000', 3000],
    ['65535', 65535],
  ])('accepts %p as %p', (value, port) => {
    expect(loadConfig(ports, { PORT: value })).toStrictEqual({ PORT: port });
  });

  it.each<[string, string]>([
    ['65536', 'PORT: Too big: expected number to be <=65535'],
    ['-1', 'PORT: Too small: expected number to be >=0'],
    ['80.5', 'PORT: Invalid input: expected int, received number'],
    ['http', 'PORT: Invalid input: expected number, received NaN'],
  ])('refuses %p', (value, problem) => {
    expect(configError(() => loadConfig(ports, { PORT: value })).problems).toStrictEqual([problem]);
  });
});

describe('booleanVariable', () => {
  const flags = z.object({ FLAG: booleanVariable });

  it.each<[string, boolean]>([
    ['true', true],
    ['1', true],
    ['yes', true],
    ['false', false],
    ['0', false],
    ['no', false],
  ])('%p is %p', (value, expected) => {
    expect(loadConfig(flags, { FLAG: value })).toStrictEqual({ FLAG: expected });
  });

  it.each(['TRUE', 'on', 'off', '', 'y'])('refuses %p', (value) => {
    expect(configError(() => loadConfig(flags, { FLAG: value })).problems).toStrictEqual([
      'FLAG: Invalid option: expected one of "0"|"1"|"true"|"false"|"yes"|"no"',
    ]);
  });

  it('takes a default when the variable is absent', () => {
    expect(loadConfig(z.object({ FLAG: booleanVariable.default(false) }), {})).toStrictEqual({ FLAG: false });
  });
});
