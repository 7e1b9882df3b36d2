import 'reflect-metadata';
import { installShutdownDeadline, refuseDevSeedCredentials, superviseWorkerProcesses, unreachableServices } from '@mms/config';
import { createGatewayApp } from './bootstrap';
import { loadGatewayConfig } from './config/gateway.config';
import { hashApiKey } from './partner-api/credentials';

async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const unreachable = await unreachableServices(config.DATABASE_URL, config.REDIS_URL);
  if (unreachable.length > 0) throw new Error(unreachable.join('\n'));
  // Production mode: a database the dev seed reached would answer the README's demo key.
  await refuseDevSeedCredentials(config, hashApiKey);
  // GATEWAY_PROCESSES > 1: node:cluster workers share the port (connections are spread among them).
  if (superviseWorkerProcesses('gateway', config.GATEWAY_PROCESSES)) return;
  installShutdownDeadline('gateway', config.SHUTDOWN_TIMEOUT_MS);
  const app = await createGatewayApp(config);
  await app.listen({ port: config.GATEWAY_PORT, host: config.GATEWAY_HOST });
}

main().catch((error: unknown) => {
  console.error(`gateway: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
