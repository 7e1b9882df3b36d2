import 'reflect-metadata';
import {
  createLogger,
  installShutdownDeadline,
  isWorkerSupervisor,
  refuseDevSeedCredentials,
  superviseWorkerProcesses,
  unreachableServices,
} from '@mms/config';
import { createGatewayApp } from './bootstrap';
import { loadGatewayConfig } from './config/gateway.config';
import { GatewayOps, serveGatewayClusterOps } from './ops/gateway-ops';

async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const unreachable = await unreachableServices(config.DATABASE_URL, config.REDIS_URL);
  if (unreachable.length > 0) throw new Error(unreachable.join('\n'));
  // Production mode: a database the dev seed reached would answer the README's demo key.
  await refuseDevSeedCredentials(config);
  // GATEWAY_PROCESSES > 1: node:cluster workers share the partners' port (connections are spread
  // among them); the primary holds the ops port for all of them before it starts any.
  if (isWorkerSupervisor(config.GATEWAY_PROCESSES)) {
    await serveGatewayClusterOps(config, createLogger('gateway', config.LOG_LEVEL, config.LOG_FORMAT));
    superviseWorkerProcesses('gateway', config.GATEWAY_PROCESSES);
    return;
  }
  installShutdownDeadline('gateway', config.SHUTDOWN_TIMEOUT_MS);
  const app = await createGatewayApp(config);
  // The ops port first: a busy one stops the gateway (naming OPS_PORT) before partners reach it.
  await app
    .get(GatewayOps)
    .serve()
    .catch(async (error: unknown) => {
      await app.close();
      throw error;
    });
  await app.listen({ port: config.GATEWAY_PORT, host: config.GATEWAY_HOST });
}

main().catch((error: unknown) => {
  console.error(`gateway: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
