import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createLogger } from '@mms/config';
import { GatewayModule } from './app.module';
import { GatewayConfig, httpServerTimeoutsOf } from './config/gateway.config';
import { InternalSendServer } from './internal-send/internal-send.server';
import { PartnerApiExceptionFilter } from './partner-api/partner-api-exception.filter';

/** How often unfinished requests are checked against HTTP_REQUEST_TIMEOUT_MS: the slack of that bound. */
const CONNECTIONS_CHECKING_INTERVAL_MS = 1000;

/**
 * Builds the gateway: Fastify with our own body handling (every body is read as bytes up to the
 * limit, so the partner API decides what a body means and answers XML even for bodies Fastify
 * refuses) and the Nest module. This Fastify is the partners' port: the partner API, carrier
 * reports and /health/live only. Metrics, readiness and Bull Board are the ops port's, served
 * apart by GatewayOps (ops/gateway-ops.ts) once the app runs.
 */
export async function createGatewayApp(config: GatewayConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.REQUEST_BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    routerOptions: { maxParamLength: 200 },
    ...httpServerTimeoutsOf(config),
    // Node enforces requestTimeout on unfinished headers only when it checks its connections,
    // every 30 s by default: a slowloris sender would be cut up to 30 s past HTTP_REQUEST_TIMEOUT_MS.
    http: { connectionsCheckingInterval: CONNECTIONS_CHECKING_INTERVAL_MS },
  });
  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.forRoot(config), adapter, {
    logger: createLogger('gateway', config.LOG_LEVEL, config.LOG_FORMAT),
    bodyParser: false,
    abortOnError: false,
  });
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_req: FastifyRequest, body: Buffer, done) => done(null, body));
  cutSlowBodies(fastify, config.HTTP_REQUEST_TIMEOUT_MS);
  // A request still arriving when shutdown starts is answered, but its kept-alive connection
  // would then hold the server open until the keep-alive timeout (past the shutdown deadline):
  // answers given while closing end their connection.
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) void reply.header('connection', 'close');
    done(null, payload);
  });
  app.useGlobalFilters(new PartnerApiExceptionFilter(app.getHttpAdapter()));
  app.enableShutdownHooks();
  // Hybrid app: internal sends (libs/send-client) come off the internal-send queue into the same accept use case.
  app.connectMicroservice({
    strategy: new InternalSendServer({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX, concurrency: config.INTERNAL_SEND_CONCURRENCY }),
  });
  await app.init();
  await app.startAllMicroservices();
  return app;
}

/**
 * Node's requestTimeout ends where the headers do (Node 20: once they came in time, a body may
 * come a byte a minute): a body not whole within `timeoutMs` of its headers gets a 408, as slow
 * headers do, and its connection is closed. One sweep a second over the requests still arriving,
 * rather than a timer and two listeners per request: this runs on every partner request, and the
 * per-request form measured 372 and 418 accepted/s against 596 for this one (npm run bench, one
 * machine, an hour apart: a direction, not a measurement).
 */
function cutSlowBodies(fastify: FastifyInstance, timeoutMs: number): void {
  const arriving = new Map<IncomingMessage, { readonly response: ServerResponse; readonly deadline: number }>();
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [raw, { response, deadline }] of arriving) {
      if (raw.complete || raw.destroyed) arriving.delete(raw);
      else if (now >= deadline) {
        arriving.delete(raw);
        if (!response.headersSent && raw.socket.writable) raw.socket.write('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        raw.socket.destroy();
      }
    }
  }, CONNECTIONS_CHECKING_INTERVAL_MS).unref();
  fastify.addHook('onClose', (_instance, done) => {
    clearInterval(sweep);
    done();
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    if (!request.raw.complete) arriving.set(request.raw, { response: reply.raw, deadline: Date.now() + timeoutMs });
    done();
  });
}
