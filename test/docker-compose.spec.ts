import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEV_SECRETS, DEV_SEED_API_KEYS, DEV_SEED_POSTBACK_SECRET } from '@mms/config';

/**
 * docker-compose.yml as compose itself reads it (`docker compose config`, or Debian's
 * docker-compose where the plugin is missing; .ci/run makes sure one is there), with the
 * production example's env file: valid, production mode everywhere, secrets only from the env
 * file, durable Redis and PostgreSQL, a migrate step that only migrates, health checks and
 * ordered starts, and the MMSC simulator in the dev profile only.
 */
const REPO_ROOT = join(__dirname, '..');
const APP_SERVICES = ['gateway', 'barcode', 'delivery'];

interface Service {
  image?: string;
  command?: string[];
  environment?: Record<string, string | null>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  profiles?: string[];
  volumes?: Array<string | { source: string; target: string }>;
  ports?: Array<string | { host_ip?: string; published?: string | number; target: number }>;
}
interface ComposeConfig {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

function run(command: string, args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const env = { ...process.env, MMSGW_ENV_FILE: '.env.production.example' };
  const result = spawnSync(command, args, { cwd: REPO_ROOT, env, input, encoding: 'utf8' });
  return { status: result.error ? null : result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

/** `docker compose` (v2, JSON out), or `docker-compose` (v1, whose YAML python3-yaml, its own dependency, turns into JSON). */
const compose = (() => {
  if (run('docker', ['compose', 'version']).status === 0) {
    return (args: string[]) => {
      const out = run('docker', ['compose', ...args, 'config', '--format', 'json']);
      if (out.status !== 0) throw new Error(`docker compose config failed:\n${out.stderr}`);
      return JSON.parse(out.stdout) as ComposeConfig;
    };
  }
  if (run('docker-compose', ['version']).status === 0) {
    return (args: string[]) => {
      const out = run('docker-compose', [...args, 'config']);
      if (out.status !== 0) throw new Error(`docker-compose config failed:\n${out.stderr}`);
      const json = run('python3', ['-c', 'import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'], out.stdout);
      if (json.status !== 0) throw new Error(`could not read docker-compose's output:\n${json.stderr}`);
      return JSON.parse(json.stdout) as ComposeConfig;
    };
  }
  return undefined;
})();

const describeWithCompose = compose === undefined ? describe.skip : describe;
if (compose === undefined) console.warn('docker-compose.spec: neither `docker compose` nor `docker-compose` is installed; .ci/run installs one');

describeWithCompose('docker-compose.yml (production mode)', () => {
  const config = compose?.([]) as ComposeConfig;
  const service = (name: string): Service => {
    const found = config.services[name];
    if (found === undefined) throw new Error(`no service ${name}`);
    return found;
  };

  it('runs Redis, PostgreSQL, the migrate step and the three services; the MMSC simulator only with --profile dev', () => {
    // (compose v1 lists a profile's services in its config too; v2 only with --profile.)
    const dev = compose?.(['--profile', 'dev']) as ComposeConfig;
    expect(Object.keys(dev.services).sort()).toEqual(['barcode', 'delivery', 'gateway', 'migrate', 'mmsc-simulator', 'postgres', 'redis']);
    for (const [name, svc] of Object.entries(dev.services)) {
      expect({ name, profiles: svc.profiles ?? [] }).toEqual({ name, profiles: name === 'mmsc-simulator' ? ['dev'] : [] });
    }
  });

  it('runs every service of ours in production mode from the compiled bundle', () => {
    for (const name of [...APP_SERVICES, 'migrate']) {
      expect({ name, NODE_ENV: service(name).environment?.NODE_ENV }).toEqual({ name, NODE_ENV: 'production' });
      expect(service(name).command?.slice(0, 2)).toEqual(['node', name === 'migrate' ? 'dist/scripts/migrate.js' : `dist/apps/${name}/src/main.js`]);
    }
  });

  it('takes the secrets from the env file, never from the compose file', () => {
    const text = readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
    // ('postgres' is a dev password too, and the database service's name: looked for as a password.)
    const devSecrets = [...DEV_SECRETS.keys()].filter((secret) => secret !== 'postgres');
    for (const secret of [...devSecrets, ...Object.values(DEV_SEED_API_KEYS), DEV_SEED_POSTBACK_SECRET]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toMatch(/:postgres@/);
    expect(text).not.toMatch(/(PASSWORD|SECRET):\s*\S/);
    // The example's values reach every service of ours and PostgreSQL through env_file.
    for (const name of [...APP_SERVICES, 'migrate']) expect(service(name).environment?.DATABASE_URL).toBe('postgresql://mmsgw:CHANGE-ME@postgres:5432/mmsgw');
    expect(service('gateway').environment?.MM7_INBOUND_PASSWORD).toBe('CHANGE-ME');
    expect(service('postgres').environment?.POSTGRES_PASSWORD).toBe('CHANGE-ME');
  });

  it('migrates and does nothing else before the services start: no dev seed', () => {
    const migrate = service('migrate');
    expect(migrate.command).toEqual(['node', 'dist/scripts/migrate.js']);
    expect(JSON.stringify(migrate)).not.toMatch(/seed/i);
    expect(migrate.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    for (const name of APP_SERVICES) {
      expect(service(name).depends_on).toEqual({
        redis: { condition: 'service_healthy' },
        postgres: { condition: 'service_healthy' },
        migrate: { condition: 'service_completed_successfully' },
      });
    }
  });

  it('keeps Redis durable (append-only file) and never evicting queue keys, PostgreSQL on a volume', () => {
    const redis = service('redis').command?.join(' ') ?? '';
    expect(redis).toMatch(/--appendonly yes/);
    expect(redis).toMatch(/--maxmemory-policy noeviction/);
    const targets = (name: string) => (service(name).volumes ?? []).map((v) => (typeof v === 'string' ? v.split(':')[1] : v.target));
    expect(targets('redis')).toContain('/data');
    expect(targets('postgres')).toContain('/var/lib/postgresql/data');
    expect(Object.keys(config.volumes ?? {})).toEqual(expect.arrayContaining(['redis-data', 'postgres-data']));
  });

  it("checks every long-running service's health, each of ours on its own /health/live", () => {
    for (const [name, svc] of Object.entries(config.services)) {
      // The migrate step is a job: compose waits for it to complete instead.
      // (disable: true; compose v1 writes it as the test NONE.)
      if (name === 'migrate') expect(svc.healthcheck?.disable === true || svc.healthcheck?.test?.[0] === 'NONE').toBe(true);
      else expect({ name, test: svc.healthcheck?.test?.slice(0, 1) }).toEqual({ name, test: ['CMD'] });
    }
    expect(service('gateway').environment?.HEALTHCHECK_URL).toBe('http://127.0.0.1:3000/health/live');
    expect(service('barcode').environment?.HEALTHCHECK_URL).toBe(`http://127.0.0.1:${service('barcode').environment?.BARCODE_OPS_PORT}/health/live`);
    expect(service('delivery').environment?.HEALTHCHECK_URL).toBe(`http://127.0.0.1:${service('delivery').environment?.DELIVERY_OPS_PORT}/health/live`);
  });

  it("publishes ports on the host's loopback only", () => {
    for (const [name, svc] of Object.entries(config.services)) {
      for (const port of svc.ports ?? []) {
        const hostIp = typeof port === 'string' ? port.split(':')[0] : port.host_ip;
        expect({ name, hostIp }).toEqual({ name, hostIp: '127.0.0.1' });
      }
    }
  });
});
