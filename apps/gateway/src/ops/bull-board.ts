import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { basicAuthMatches } from '../partner-api/credentials';

export const BULL_BOARD_PATH = '/admin/queues';

/** Who may open Bull Board, and whether they may act on the queues (ADMIN_*). */
export interface BullBoardAccess {
  readonly username: string;
  readonly password: string;
  /** Shows the queues, refuses every action. */
  readonly readOnly: boolean;
}

/**
 * Mounts Bull Board on the ops listener behind HTTP basic auth; the queues are the fleet's (same
 * prefix). Read-only: the board hides its buttons (bull-board's readOnlyMode) and, whatever a
 * client sends, every request but GET and HEAD is refused here with 405, so no action (retry,
 * clean, pause, add, obliterate, ...) depends on bull-board covering it.
 */
export async function mountBullBoard(fastify: FastifyInstance, queues: readonly Queue[], access: BullBoardAccess): Promise<void> {
  const serverAdapter = new BullBoardFastifyAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({ queues: queues.map((queue) => new BullMQAdapter(queue, { readOnlyMode: access.readOnly })), serverAdapter });
  await fastify.register(
    async (scope) => {
      scope.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
        if (!basicAuthMatches(req.headers.authorization, access.username, access.password)) {
          await reply.header('www-authenticate', 'Basic realm="operators"').code(401).send('authentication required');
        } else if (access.readOnly && req.method !== 'GET' && req.method !== 'HEAD') {
          await reply.header('allow', 'GET, HEAD').code(405).send('Bull Board is read-only (ADMIN_READ_ONLY)');
        }
      });
      await scope.register(serverAdapter.registerPlugin());
    },
    { prefix: BULL_BOARD_PATH },
  );
}
