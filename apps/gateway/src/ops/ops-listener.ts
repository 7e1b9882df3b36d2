import type { AddressInfo } from 'node:net';
import type { LoggerService } from '@nestjs/common';
import type { Queue } from 'bullmq';
import Fastify from 'fastify';
import { OPS_PATHS, type OpsListener, answerOps, urlOfAddress } from '@mms/queue';
import { BULL_BOARD_PATH, type BullBoardAccess, mountBullBoard } from './bull-board';

export interface GatewayOpsListenerOptions {
  /** Bull Board's queues and who may open it; undefined: not mounted (no ADMIN_PASSWORD). */
  readonly bullBoard: { readonly queues: readonly Queue[]; readonly access: BullBoardAccess } | undefined;
  readonly logger: LoggerService;
}

/**
 * The gateway's ops port (OPS_PORT): the ops endpoints every command answers (libs/queue
 * ops-server.ts: /metrics, /health/live, /health/ready) and Bull Board, on a Fastify instance of
 * its own, so that nothing of it is reachable on the partners' port.
 */
export function gatewayOpsListener({ bullBoard, logger }: GatewayOpsListenerOptions): OpsListener {
  return async (endpoints, host, port) => {
    const fastify = Fastify({ logger: false });
    for (const path of OPS_PATHS) {
      fastify.get(path, async (_request, reply) => {
        const { status, contentType, body } = await answerOps(endpoints, path);
        return reply.code(status).type(contentType).send(body);
      });
    }
    if (bullBoard !== undefined) await mountBullBoard(fastify, bullBoard.queues, bullBoard.access);
    try {
      await fastify.listen({ host, port });
    } catch (error) {
      await fastify.close();
      throw error;
    }
    const url = urlOfAddress(fastify.server.address() as AddressInfo);
    if (bullBoard === undefined) logger.warn(`Bull Board (${BULL_BOARD_PATH}) is off: set ADMIN_PASSWORD to mount it`);
    else logger.log(`Bull Board on ${url}${BULL_BOARD_PATH}${bullBoard.access.readOnly ? ' (read-only)' : ''}`);
    return { url, close: () => fastify.close() };
  };
}
