/**
 * `npm start`: migrate, seed the dev world, run the whole fleet in the foreground and print what
 * to try. Ctrl-C stops every service cleanly.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { unreachableServices } from '@mms/config';
import { DEMO_POSTBACK_SECRET } from '../prisma/seed-world';
import { FLEET, REPO_ROOT, ServiceName, startFleet, waitForHttp } from './lib/fleet';

const devDefaults: Record<string, string> = {
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/mmsgw',
  REDIS_URL: 'redis://127.0.0.1:6379',
  GATEWAY_PORT: '3000',
  OPS_PORT: '3001',
  BARCODE_OPS_PORT: '3002',
  DELIVERY_OPS_PORT: '3003',
  LOG_FORMAT: 'pretty',
  OUTBOX_DIR: 'var/outbox',
  ADMIN_USERNAME: 'admin',
  ADMIN_PASSWORD: 'dev-admin-password',
  MM7_INBOUND_USERNAME: 'mmsc',
  MM7_INBOUND_PASSWORD: 'dev-mmsc-password',
  MMSC_SIM_PORT: '4000',
};

const colours: Record<ServiceName, string> = { gateway: '36', barcode: '35', delivery: '33', 'mmsc-simulator': '32' };

function fail(message: string): never {
  console.error(`\nnpm start: ${message}\n`);
  process.exit(1);
}

function runStep(title: string, command: string, args: string[], env: NodeJS.ProcessEnv): void {
  process.stdout.write(`- ${title} ... `);
  const result = spawnSync(command, args, { cwd: REPO_ROOT, env, encoding: 'utf8' });
  if (result.status === 0) {
    console.log('done');
    return;
  }
  console.log('failed');
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  console.error(output);
  if (/binaries\.prisma\.sh|schema-engine/i.test(output)) {
    fail(
      "Prisma's CLI could not get its schema engine (this machine cannot download it). " +
        'Point PRISMA_SCHEMA_ENGINE_BINARY at a local engine and run again (README: "Machines without Prisma\'s binary host").',
    );
  }
  fail(`${title} failed (exit ${result.status ?? result.signal})`);
}

/**
 * Job ids are tracking ids. After a database reset the ids start again at MMS_1, and a completed
 * job kept in Redis from the old database would swallow the new message's job. With no messages
 * in the database, nothing in the queues can belong to it: clear them.
 */
async function clearStaleJobsOfFreshDatabase(env: NodeJS.ProcessEnv): Promise<void> {
  const pg = new Client({ connectionString: env.DATABASE_URL });
  await pg.connect();
  const { rows } = await pg.query<{ count: string }>('SELECT count(*) FROM messages').finally(() => pg.end());
  if (Number(rows[0]?.count) > 0) return;
  const prefix = env.QUEUE_PREFIX ?? 'mmsgw';
  const redis = new Redis(env.REDIS_URL as string, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  let removed = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) removed += await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  if (removed > 0) console.log(`- empty database: cleared ${removed} stale queue key(s) under prefix ${prefix}`);
}

/** The MMSC simulator's postback catcher (FIXED-POINTS.md). */
function simulatorPostbacks(env: NodeJS.ProcessEnv): string {
  return `http://127.0.0.1:${env.MMSC_SIM_PORT}/postbacks`;
}

/** An ops address: the gateway's (OPS_HOST/PORT) or a worker's (BARCODE_OPS_HOST/PORT, DELIVERY_OPS_HOST/PORT). */
function opsOf(service: 'GATEWAY' | 'BARCODE' | 'DELIVERY', env: NodeJS.ProcessEnv): string {
  const prefix = service === 'GATEWAY' ? '' : `${service}_`;
  return `http://${env[`${prefix}OPS_HOST`] || '127.0.0.1'}:${env[`${prefix}OPS_PORT`]}`;
}

async function main(): Promise<void> {
  if (existsSync(join(REPO_ROOT, '.env'))) process.loadEnvFile(join(REPO_ROOT, '.env'));
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [name, value] of Object.entries(devDefaults)) env[name] ??= value;
  // The demo's carrier is the MMSC simulator: delivery submits over MM7 to it, and it posts
  // delivery reports back to the gateway. Set MM7_URL to use a real MMSC instead.
  const withSimulator = env.MM7_URL === undefined || env.MM7_URL === '';
  if (withSimulator) {
    env.MM7_URL = `http://127.0.0.1:${env.MMSC_SIM_PORT}/mm7`;
    env.MMSC_SIM_DLR_URL ??= `http://127.0.0.1:${env.GATEWAY_PORT}/mm7/delivery-reports`;
    env.MMSC_SIM_DLR_USERNAME ??= env.MM7_INBOUND_USERNAME;
    env.MMSC_SIM_DLR_PASSWORD ??= env.MM7_INBOUND_PASSWORD;
    // The simulator also plays the partner's server: the demo account's postbacks land on its page.
    if (!env.DEMO_POSTBACK_URL) env.DEMO_POSTBACK_URL = simulatorPostbacks(env);
    env.MMSC_SIM_POSTBACK_SECRET ??= DEMO_POSTBACK_SECRET;
  }
  // Dev mode: postbacks may go to this machine (the simulator, a receiver under development).
  // Production never sets it: a partner's URL must not lead into our own network.
  env.POSTBACK_ALLOW_PRIVATE_NETWORKS ??= 'true';
  if (env.NODE_ENV === 'production') fail('npm start is the development fleet (it applies the dev seed); unset NODE_ENV=production');

  console.log('MMS barcode fleet: starting the development fleet\n');
  const unreachable = await unreachableServices(env.DATABASE_URL as string, env.REDIS_URL as string);
  if (unreachable.length > 0) fail(unreachable.join('\n'));

  const prisma = join(REPO_ROOT, 'node_modules', '.bin', 'prisma');
  if (!existsSync(prisma)) fail('dependencies are missing: run `npm install` first');
  runStep('applying database migrations', prisma, ['migrate', 'deploy'], env);
  runStep('generating the Prisma client', prisma, ['generate'], env);
  runStep('applying the dev seed', process.execPath, ['-r', '@swc-node/register', 'prisma/seed.ts'], env);

  await clearStaleJobsOfFreshDatabase(env);

  const services: ServiceName[] = withSimulator ? ['mmsc-simulator', ...FLEET] : [...FLEET];
  const fleet = startFleet({
    env,
    services,
    onLine: (service, line) => console.log(`\x1b[${colours[service]}m${service.padEnd(8)}\x1b[0m ${line}`),
    onUnexpectedExit: (service, code) => {
      console.error(`\n${service} exited (code ${code}); stopping the fleet`);
      void fleet.stop().then(() => process.exit(1));
    },
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping ${services.join(', ')} ...`);
    void fleet.stop().then(() => {
      console.log('fleet stopped');
      process.exit(0);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  const gateway = `http://127.0.0.1:${env.GATEWAY_PORT}`;
  const gatewayOps = opsOf('GATEWAY', env);
  await waitForHttp(`${gatewayOps}/health/ready`, 60_000);
  console.log(
    [
      '',
      '================================================================================',
      ` The fleet is up (${services.join(', ')}). Try the API docs' example:`,
      '',
      `   curl -s -H 'Content-Type: text/xml' --data-binary @examples/sendMMSBarcode.request.xml ${gateway}/API/wxml/1.3/index.php`,
      '',
      `   the full one:  curl -s -H 'Content-Type: text/xml' --data-binary @examples/sendMMSBarcode.full.request.xml ${gateway}/API/wxml/1.3/index.php`,
      `   as a GET:  curl -s '${gateway}/API/wxml/1.3/index.php?action=sendMMSBarcode&api_key=qTFkykO9JTfahCOqJ0V2Wf5Cg1t8iWlZ&to=16501234123&from=60856&databaseid=17856&barcodeid=Ticket_12345&mmsid=35674'`,
      '',
      withSimulator
        ? ` Handset inbox         http://127.0.0.1:${env.MMSC_SIM_PORT}/   (the MMSC simulator: every MMS as a phone shows it)`
        : ` MMSC                  ${env.MM7_URL}`,
      env.DEMO_POSTBACK_URL === simulatorPostbacks(env)
        ? ` Postbacks             ${env.DEMO_POSTBACK_URL}   (N101, N102, E101 as the demo account's server gets them)`
        : ` Postbacks             ${env.DEMO_POSTBACK_URL ? `sent to ${env.DEMO_POSTBACK_URL}` : 'none (DEMO_POSTBACK_URL is not set)'}`,
      ` Message history       npm run admin -- message:show <TRACKINGID | BARCODEID | phone>   (postback attempts included)`,
      ` Onboard a partner     npm run admin -- --help   (accounts, API keys, sender codes, templates, campaigns, credits)`,
      ` Send without XML      npm run example:send   (an internal service on libs/send-client: docs/internal-send.md)`,
      ` Partners' port        ${gateway}   (the partner API, carrier reports /mm7/delivery-reports, /health/live)`,
      ` Gateway ops           ${gatewayOps}/health/ready    metrics ${gatewayOps}/metrics   (partner API and fleet-wide series)`,
      ` Barcode worker        ${opsOf('BARCODE', env)}/health/ready    metrics ${opsOf('BARCODE', env)}/metrics`,
      ` Delivery worker       ${opsOf('DELIVERY', env)}/health/ready    metrics ${opsOf('DELIVERY', env)}/metrics   (docs/observability.md)`,
      ` Bull Board            ${gatewayOps}/admin/queues  (user ${env.ADMIN_USERNAME}, password ${env.ADMIN_PASSWORD}${['true', '1', 'yes'].includes(env.ADMIN_READ_ONLY ?? '') ? ', read-only' : ''})`,
      '',
      ' Ctrl-C stops everything.',
      '================================================================================',
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
