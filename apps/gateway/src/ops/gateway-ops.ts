import { Inject, Injectable, Logger, type LoggerService, OnApplicationShutdown } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import { ModuleRef } from '@nestjs/core';
import { Queue } from 'bullmq';
import { QueueName } from '@mms/contracts';
import { type OpsServer, type ProcessOps, redisOptionsFrom, serveClusterOps, serveProcessOps } from '@mms/queue';
import { GATEWAY_CONFIG, GatewayConfig } from '../config/gateway.config';
import type { BullBoardAccess } from './bull-board';
import { GatewayMetrics } from './metrics';
import { gatewayOpsListener } from './ops-listener';
import { GatewayReadiness } from './readiness';

const OPS_PATHS_LINE = '/metrics, /health/live, /health/ready';

/** Bull Board's access from ADMIN_*; undefined without a password (the board is not mounted). */
function bullBoardAccess(config: GatewayConfig): BullBoardAccess | undefined {
  if (config.ADMIN_PASSWORD === undefined) return undefined;
  return { username: config.ADMIN_USERNAME, password: config.ADMIN_PASSWORD, readOnly: config.ADMIN_READ_ONLY };
}

/**
 * One gateway process's ops port (OPS_HOST:OPS_PORT): its metrics registry, its readiness and
 * Bull Board on the process's own queues. In a cluster worker (GATEWAY_PROCESSES > 1) it answers
 * the primary instead, which serves the port for all (serveGatewayClusterOps).
 */
@Injectable()
export class GatewayOps implements OnApplicationShutdown {
  private readonly logger = new Logger('Ops');
  private ops: ProcessOps | undefined;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly metrics: GatewayMetrics,
    private readonly readiness: GatewayReadiness,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** Serves the ops port; returns its URL, or undefined in a cluster worker. A port it cannot take fails naming OPS_PORT. */
  async serve(): Promise<string | undefined> {
    const access = bullBoardAccess(this.config);
    const queues = Object.values(QueueName).map((name) => this.moduleRef.get<Queue>(getQueueToken(name), { strict: false }));
    const listen = gatewayOpsListener({ bullBoard: access && { queues, access }, logger: this.logger });
    const { OPS_HOST: host, OPS_PORT: port } = this.config;
    this.ops = await serveProcessOps(this.metrics.registry, () => this.readiness.ready(), host, port, listen).catch((error: unknown) => {
      throw new Error(`OPS_PORT ${port}: ${error instanceof Error ? error.message : String(error)}`);
    });
    if (this.ops.url !== undefined) this.logger.log(`metrics and health on ${this.ops.url} (${OPS_PATHS_LINE})`);
    return this.ops.url;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.ops?.close();
  }
}

/**
 * The primary of a multi-process gateway: holds the ops port for all its processes before it
 * starts any (metrics added up, ready while one process is), with Bull Board on queues of its own.
 */
export async function serveGatewayClusterOps(config: GatewayConfig, logger: LoggerService): Promise<OpsServer> {
  const access = bullBoardAccess(config);
  const queues =
    access === undefined ? [] : Object.values(QueueName).map((name) => new Queue(name, { prefix: config.QUEUE_PREFIX, connection: redisOptionsFrom(config.REDIS_URL, 'producer') }));
  const closeQueues = () => Promise.all(queues.map((queue) => queue.close()));
  const listen = gatewayOpsListener({ bullBoard: access && { queues, access }, logger });
  return serveClusterOps(logger, 'OPS_PORT', config.OPS_HOST, config.OPS_PORT, async (endpoints, host, port) => {
    const server = await listen(endpoints, host, port).catch(async (error: unknown) => {
      await closeQueues();
      throw error;
    });
    return {
      url: server.url,
      close: async () => {
        await server.close();
        await closeQueues();
      },
    };
  });
}
