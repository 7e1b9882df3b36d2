import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorInfoFor } from '@mms/contracts';
import { createLogger } from '@mms/config';
import { GatewayModule } from './app.module';
import { GatewayConfig } from './config/gateway.config';
import { BULL_BOARD_PATH, mountBullBoard } from './ops/bull-board';
import { PARTNER_API_PATH } from './partner-api/partner-api.controller';
import { renderResponse } from './partner-api/response-xml';

/**
 * Builds the gateway: Fastify with our own body handling (every body is read as bytes up to the
 * limit, so the partner API decides what a body means and answers XML even for bodies Fastify
 * would refuse), the Nest module, and Bull Board when an admin password is set.
 */
export async function createGatewayApp(config: GatewayConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.REQUEST_BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    routerOptions: { maxParamLength: 200 },
  });
  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.forRoot(config), adapter, {
    logger: createLogger('gateway', config.LOG_LEVEL, config.LOG_FORMAT),
    bodyParser: false,
    abortOnError: false,
  });
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_req: FastifyRequest, body: Buffer, done) => done(null, body));
  fastify.setErrorHandler(async (error: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    if (req.url.startsWith(PARTNER_API_PATH)) {
      // Too large, or a body Fastify could not read: still a RESPONSE document (E100).
      const status = error.statusCode === 413 ? 413 : 200;
      await reply
        .status(status)
        .header('content-type', 'text/xml; charset=utf-8')
        .send(renderResponse({ status: 'Failure', errorCode: 'E100', errorInfo: errorInfoFor('E100') }));
      return;
    }
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    await reply.status(status).send({ statusCode: status, error: status >= 500 ? 'Internal Server Error' : error.message });
  });
  app.enableShutdownHooks();
  if (config.ADMIN_PASSWORD !== undefined) {
    await mountBullBoard(app, config.ADMIN_USERNAME, config.ADMIN_PASSWORD);
  } else {
    new Logger('gateway').warn(`Bull Board (${BULL_BOARD_PATH}) is off: set ADMIN_PASSWORD to mount it`);
  }
  await app.init();
  return app;
}

export { BULL_BOARD_PATH };
