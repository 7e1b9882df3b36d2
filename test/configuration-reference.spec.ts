import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { ProductionConfigError } from '@mms/config';
import { barcodeEnvSchema, loadBarcodeConfig } from '../apps/barcode/src/config/barcode.config';
import { deliveryEnvSchema, loadDeliveryConfig } from '../apps/delivery/src/config/delivery.config';
import { gatewayEnvSchema, loadGatewayConfig } from '../apps/gateway/src/config/gateway.config';
import { simulatorEnvSchema } from '../apps/mmsc-simulator/src/config/simulator.config';
import { sendClientEnvSchema } from '../libs/send-client/src/lib/send-client.config';

/**
 * The configuration reference stays whole: every variable a service's schema reads is in
 * .env.example and in docs/operations.md (the simulator's in its README), and
 * .env.production.example cannot start a service unchanged but can once its placeholders are
 * replaced: nothing production requires is missing from it.
 */
const REPO_ROOT = join(__dirname, '..');
const read = (file: string) => readFileSync(join(REPO_ROOT, file), 'utf8');

const schemas = { gateway: gatewayEnvSchema, barcode: barcodeEnvSchema, delivery: deliveryEnvSchema, 'send client': sendClientEnvSchema };
const variablesOf = (schema: { shape: Record<string, unknown> }) => Object.keys(schema.shape);

describe('the configuration reference', () => {
  it.each(Object.entries(schemas))('lists every variable the %s reads in .env.example and docs/operations.md', (_service, schema) => {
    const example = read('.env.example');
    const operations = read('docs/operations.md');
    const missing = variablesOf(schema).filter(
      (name) => !new RegExp(`^(# ?)?${name}=`, 'm').test(example) || !operations.includes(`\`${name}\``),
    );
    expect(missing).toEqual([]);
  });

  it("lists the MMSC simulator's variables in its README", () => {
    const readme = read('apps/mmsc-simulator/README.md');
    expect(variablesOf(simulatorEnvSchema).filter((name) => !readme.includes(name))).toEqual([]);
  });
});

describe('.env.production.example', () => {
  const example = parseEnv(read('.env.production.example')) as Record<string, string>;
  /** What docker-compose.yml adds for each service (its environment block). */
  const composeEnv = { NODE_ENV: 'production', REDIS_URL: 'redis://redis:6379' };
  const filledIn = () =>
    Object.fromEntries(Object.entries(example).map(([name, value]) => [name, value.replace(/CHANGE-ME/g, randomBytes(12).toString('hex'))]));

  it('cannot start any service unchanged: each names the placeholders it still holds', () => {
    const refusal = (load: () => unknown): string[] => {
      try {
        load();
      } catch (error) {
        if (error instanceof ProductionConfigError) return error.problems.map((problem) => problem.split(':')[0] ?? problem);
        throw error;
      }
      return [];
    };
    const env = { ...example, ...composeEnv };
    expect(refusal(() => loadGatewayConfig(env))).toEqual(['DATABASE_URL', 'ADMIN_PASSWORD', 'MM7_INBOUND_PASSWORD']);
    expect(refusal(() => loadBarcodeConfig(env))).toEqual(['DATABASE_URL']);
    expect(refusal(() => loadDeliveryConfig(env))).toEqual(['DATABASE_URL', 'MM7_URL', 'MM7_USERNAME', 'MM7_PASSWORD', 'MM7_VASP_ID', 'MM7_VAS_ID']);
  });

  it('starts every service once the placeholders are replaced: it holds all that production requires', () => {
    const env = { ...filledIn(), ...composeEnv };
    expect(loadGatewayConfig(env).NODE_ENV).toBe('production');
    expect(loadBarcodeConfig(env).NODE_ENV).toBe('production');
    expect(loadDeliveryConfig(env).MM7_URL).toMatch(/^https:\/\/[0-9a-f]+\.invalid\/mm7$/);
  });

  it('holds no development default of .env.example', () => {
    const development = parseEnv(read('.env.example')) as Record<string, string>;
    for (const name of ['ADMIN_PASSWORD', 'MM7_INBOUND_PASSWORD', 'DATABASE_URL']) {
      expect({ name, value: example[name] }).not.toEqual({ name, value: development[name] });
    }
  });
});
