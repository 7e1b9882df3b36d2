import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createLogger } from '@mms/config';
import { SimulatorModule } from './app.module';
import { SimulatorConfig } from './config/simulator.config';

/**
 * Builds the simulator: Fastify reading every body as bytes (MM7 bodies are binary MIME; the
 * MM7 reader decides what they mean), the Nest module, shutdown hooks.
 */
export async function createSimulatorApp(config: SimulatorConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.MMSC_SIM_BODY_LIMIT_BYTES,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  });
  const app = await NestFactory.create<NestFastifyApplication>(SimulatorModule.forRoot(config), adapter, {
    logger: createLogger('mmsc-simulator', config.LOG_LEVEL, config.LOG_FORMAT),
    bodyParser: false,
    abortOnError: false,
  });
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_req: FastifyRequest, body: Buffer, done) => done(null, body));
  app.enableShutdownHooks();
  await app.init();
  return app;
}
