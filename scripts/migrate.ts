/**
 * `npm run db:migrate` (and the compose file's migrate step, compiled: `node dist/scripts/migrate.js`):
 * applies the committed migrations with `prisma migrate deploy`, and nothing else: never the dev
 * seed. In production mode (NODE_ENV=production) it first refuses development defaults in its
 * configuration, and afterwards fails, naming the admin CLI command that ends each, while the
 * database still holds the dev seed's credentials: no service would start on it.
 */
import { spawnSync } from 'node:child_process';
import { z } from 'zod';
import { commonEnv, loadConfig, productionChecks, refuseDevSeedCredentials } from '@mms/config';

const migrateEnvSchema = z.object({ NODE_ENV: commonEnv.NODE_ENV, DATABASE_URL: commonEnv.DATABASE_URL });

async function main(): Promise<void> {
  const config = loadConfig(migrateEnvSchema);
  productionChecks(config);
  // The CLI's own entry point, run by this node: no shell, no npx, the same in a checkout and an image.
  const prisma = require.resolve('prisma/build/index.js');
  const result = spawnSync(process.execPath, [prisma, 'migrate', 'deploy'], { stdio: 'inherit', env: process.env });
  if (result.status !== 0) throw new Error(`prisma migrate deploy failed (exit ${result.status ?? result.signal})`);
  await refuseDevSeedCredentials(config);
}

main().catch((error: unknown) => {
  console.error(`db:migrate: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
