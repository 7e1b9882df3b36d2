import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import { DEMO_API_KEY, seedDevWorld } from '../prisma/seed-world';
import { createPrismaClient } from '@mms/db';
import { suitePrefix } from './fixtures';
import { freePort } from './free-port';
import { dropDatabase, withDatabase } from './test-database';

/**
 * Production mode end to end, on the compiled bundle (`npm run build`, as the Dockerfile builds
 * it) and without Docker: the migrate step only migrates, the dev seed refuses, a gateway with
 * secrets of its own starts on the unseeded database, answers /health/live and stops on SIGTERM,
 * and the dev seed's credentials in a database stop both the gateway and the migrate step.
 */
const REPO_ROOT = join(__dirname, '..');
const runId = process.env.TEST_RUN_ID ?? randomBytes(4).toString('hex');
const outDir = join('dist', `test-${runId}`);
const serverUrl = process.env.TEST_DATABASE_SERVER_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const freshName = `${process.env.TEST_DATABASE_NAME ?? `mmsgw_test_${runId}`}_production`;
const freshUrl = withDatabase(serverUrl, freshName);
const secret = () => randomBytes(18).toString('base64url');

interface Outcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly output: string;
}

/** What a container gets: no inherited NODE_ENV=test, no dev defaults, only what is given. */
function productionEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const { PATH, HOME, PRISMA_SCHEMA_ENGINE_BINARY, CHECKPOINT_DISABLE } = process.env;
  const inherited = Object.entries({ PATH, HOME, PRISMA_SCHEMA_ENGINE_BINARY, CHECKPOINT_DISABLE }).filter(([, v]) => v !== undefined);
  return { ...Object.fromEntries(inherited), NODE_ENV: 'production', LOG_FORMAT: 'json', LOG_LEVEL: 'warn', ...extra };
}

function started(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; outcome: Promise<Outcome>; output: () => string } {
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // 'close': the process has exited and its output is all read.
  const outcome = new Promise<Outcome>((resolve) => child.once('close', (code, signal) => resolve({ code, signal, output })));
  return { child, outcome, output: () => output };
}

function run(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 45_000): Promise<Outcome> {
  const { child, outcome } = started(args, env);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return outcome.finally(() => clearTimeout(timer));
}

async function scalar(url: string, sql: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(sql);
    return Number(rows[0]?.n);
  } finally {
    await client.end();
  }
}

async function liveStatus(url: string): Promise<number | undefined> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1000) })).status;
  } catch {
    return undefined;
  }
}

/**
 * A partner request whose body is still arriving when `signal()` stops the server; resolves with
 * the raw answer (Connection: close, so the answered connection does not outlive the request).
 */
function requestAcrossSigterm(port: string, signal: () => void): Promise<string> {
  const body = '<REQUEST><ACTION>sendMMSBarcode</ACTION><API_KEY>notAKeyOfAnyAccount000000000000</API_KEY></REQUEST>';
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(
        `POST /API/wxml/1.3/index.php HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: text/xml\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 20)}`,
      );
      setTimeout(() => {
        signal();
        setTimeout(() => socket.write(body.slice(20)), 300);
      }, 200);
    });
    socket.setTimeout(15_000, () => socket.destroy(new Error(`no answer across SIGTERM; got ${JSON.stringify(answer)}`)));
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.once('error', reject);
    socket.once('close', () => resolve(answer));
  });
}

describe('production mode on the compiled bundle', () => {
  const gatewayMain = join(outDir, 'apps/gateway/src/main.js');
  const migrateMain = join(outDir, 'scripts/migrate.js');
  const prefix = suitePrefix('production');
  let gatewayEnv: (databaseUrl: string) => Promise<{ env: NodeJS.ProcessEnv; live: string }>;

  beforeAll(async () => {
    await dropDatabase(serverUrl, freshName);
    const built = await run(['-r', '@swc-node/register', 'scripts/build.ts', '--out-dir', outDir], { ...process.env }, 60_000);
    expect(built).toMatchObject({ code: 0 });
    expect(built.output).toMatch(/^build: \d+ files compiled into dist\/test-/m);
    gatewayEnv = async (databaseUrl) => {
      const [port, opsPort] = [await freePort(), await freePort()];
      const env = productionEnv({
        DATABASE_URL: databaseUrl,
        REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        QUEUE_PREFIX: prefix,
        GATEWAY_PORT: String(port),
        OPS_PORT: String(opsPort),
        ADMIN_PASSWORD: secret(),
        MM7_INBOUND_PASSWORD: secret(),
      });
      return { env, live: `http://127.0.0.1:${port}/health/live` };
    };
  }, 90_000);

  afterAll(async () => {
    await dropDatabase(serverUrl, freshName);
    await rm(join(REPO_ROOT, outDir), { recursive: true, force: true });
  });

  it('the migrate step applies every migration to a new database and nothing else: no dev seed', async () => {
    const migrated = await run([migrateMain], productionEnv({ DATABASE_URL: freshUrl }), 90_000);
    expect(migrated.output).toContain('All migrations have been successfully applied.');
    expect(migrated).toMatchObject({ code: 0 });
    const folders = readdirSync(join(REPO_ROOT, 'prisma/migrations'), { withFileTypes: true }).filter((entry) => entry.isDirectory());
    expect(await scalar(freshUrl, 'SELECT count(*) AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL')).toBe(folders.length);
    expect(await scalar(freshUrl, 'SELECT count(*) AS n FROM accounts')).toBe(0);
    expect(await scalar(freshUrl, 'SELECT count(*) AS n FROM api_keys')).toBe(0);
  }, 90_000);

  it('npm run db:seed refuses in production mode and writes nothing', async () => {
    const seeded = await run(['-r', '@swc-node/register', 'prisma/seed.ts'], productionEnv({ DATABASE_URL: freshUrl }));
    expect(seeded.code).toBe(1);
    expect(seeded.output).toContain('db:seed: the dev seed is never applied in production mode (NODE_ENV=production)');
    expect(await scalar(freshUrl, 'SELECT count(*) AS n FROM accounts')).toBe(0);
  });

  it('a gateway from the bundle starts on it with secrets of its own, answers /health/live, and stops cleanly on SIGTERM', async () => {
    const { env, live } = await gatewayEnv(freshUrl);
    const gateway = started([gatewayMain], env);
    const deadline = Date.now() + 30_000;
    let status: number | undefined;
    while (status !== 200 && Date.now() < deadline) {
      const exited = await Promise.race([gateway.outcome, new Promise((resolve) => setTimeout(resolve, 200, undefined))]);
      if (exited !== undefined) throw new Error(`the gateway exited before answering:\n${gateway.output()}`);
      status = await liveStatus(live);
    }
    expect(status).toBe(200);
    expect(await (await fetch(live)).json()).toEqual({ status: 'ok' });

    // A request in flight when SIGTERM comes is still answered: the shutdown drains, it does not drop.
    const answer = requestAcrossSigterm(new URL(live).port, () => gateway.child.kill('SIGTERM'));
    expect(await answer).toMatch(/^HTTP\/1\.1 200 [\s\S]*<STATUS>Failure<\/STATUS>[\s\S]*<ERRORCODE>E104<\/ERRORCODE>/);
    const stopped = await gateway.outcome;
    // Nest's shutdown hooks close the application, then raise the signal again: the ending of a clean stop.
    expect({ code: stopped.code, signal: stopped.signal }).toEqual({ code: null, signal: 'SIGTERM' });
    expect(stopped.output).not.toMatch(/"level":"(error|fatal)"|took longer than/);
    expect(await liveStatus(live)).toBeUndefined();
  }, 60_000);

  it("a production gateway refuses to start while the dev seed's demo key is in the database", async () => {
    // The run's shared database carries the dev seed (test/global-setup.ts).
    const { env, live } = await gatewayEnv(process.env.DATABASE_URL as string);
    const refused = await run([gatewayMain], env);
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('gateway: refusing to start in production mode (NODE_ENV=production); change:');
    expect(refused.output).toContain(
      `the dev seed's API key ${DEMO_API_KEY} (account demo) is in the database: revoke it with the admin CLI: api-key:revoke demo ${DEMO_API_KEY}`,
    );
    expect(await liveStatus(live)).toBeUndefined();
  });

  it("the migrate step fails while the dev seed's credentials are in the database, naming each and how to end it", async () => {
    const prisma = createPrismaClient(freshUrl, 1);
    try {
      await seedDevWorld(prisma, null);
    } finally {
      await prisma.$disconnect();
    }
    const refused = await run([migrateMain], productionEnv({ DATABASE_URL: freshUrl }), 90_000);
    expect(refused.code).toBe(1);
    expect(refused.output).toContain(`api-key:revoke demo ${DEMO_API_KEY}`);
    expect(refused.output).toContain('account:legacy-login legacy --off');
    expect(refused.output).toContain('account:postbacks demo --rotate-secret');
  }, 90_000);

  it('the migrate step refuses a development password before touching the database', async () => {
    const refused = await run([migrateMain], productionEnv({ DATABASE_URL: withDatabase('postgresql://postgres:postgres@127.0.0.1:5432/x', freshName) }));
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('DATABASE_URL (its password): is a development default');
    expect(refused.output).not.toContain('prisma');
  });
});
