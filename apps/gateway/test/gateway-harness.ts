import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createGatewayApp } from '../src/bootstrap';
import { loadGatewayConfig } from '../src/config/gateway.config';
import { GatewayOps } from '../src/ops/gateway-ops';

export interface GatewayHarness {
  readonly app: NestFastifyApplication;
  readonly url: string;
  /** The ops port's origin (metrics, readiness, Bull Board): OPS_PORT, any free port unless env names one. */
  readonly opsUrl: string;
  post(body: string | URLSearchParams | FormData, contentType?: string): Promise<{ status: number; xml: string }>;
  get(query: string): Promise<{ status: number; xml: string }>;
  close(): Promise<void>;
}

/** The real gateway on real ports, partners' and ops (the run's database; the Redis and prefix given). */
export async function startGateway(env: Record<string, string>): Promise<GatewayHarness> {
  const config = loadGatewayConfig({ ...process.env, GATEWAY_PORT: '0', OPS_PORT: '0', OPS_HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env });
  const app = await createGatewayApp(config);
  const opsUrl = await app.get(GatewayOps).serve();
  if (opsUrl === undefined) throw new Error('the ops port is served by a cluster primary, not this process');
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const url = `http://127.0.0.1:${port}/API/wxml/1.3/index.php`;
  const answer = async (response: Response) => ({ status: response.status, xml: await response.text() });
  return {
    app,
    url,
    opsUrl,
    post: async (body, contentType) =>
      answer(
        await fetch(url, {
          method: 'POST',
          body,
          headers: contentType === undefined ? undefined : { 'content-type': contentType },
        }),
      ),
    get: async (query) => answer(await fetch(`${url}?${query}`)),
    close: () => app.close(),
  };
}
