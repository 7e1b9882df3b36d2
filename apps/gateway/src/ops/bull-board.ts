import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import type { INestApplication } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { QueueName } from '@mms/contracts';
import { basicAuthMatches } from '../partner-api/credentials';

export const BULL_BOARD_PATH = '/admin/queues';

/** Mounts Bull Board behind HTTP basic auth; the queues are the app's own (same prefix). */
export async function mountBullBoard(app: INestApplication, username: string, password: string): Promise<void> {
  const queues = Object.values(QueueName).map((name) => app.get<Queue>(getQueueToken(name), { strict: false }));
  const serverAdapter = new BullBoardFastifyAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({ queues: queues.map((queue) => new BullMQAdapter(queue)), serverAdapter });
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  await fastify.register(
    async (scope) => {
      scope.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
        if (!basicAuthMatches(req.headers.authorization, username, password)) {
          await reply.header('www-authenticate', 'Basic realm="operators"').code(401).send('authentication required');
        }
      });
      await scope.register(serverAdapter.registerPlugin());
    },
    { prefix: BULL_BOARD_PATH },
  );
}
