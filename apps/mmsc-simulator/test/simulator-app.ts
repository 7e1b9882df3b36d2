import { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createSimulatorApp } from '../src/bootstrap';
import { loadSimulatorConfig } from '../src/config/simulator.config';

/** The simulator in-process on a free port, for the integration tests to speak to over real HTTP. */

export interface Simulator {
  readonly app: NestFastifyApplication;
  readonly base: string;
}

export async function startSimulator(env: Record<string, string>): Promise<Simulator> {
  const app = await createSimulatorApp(loadSimulatorConfig({ LOG_LEVEL: 'error', MMSC_SIM_PORT: '0', ...env }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, base: `http://127.0.0.1:${port}` };
}

/** The JSON of a request that must succeed. */
export async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}
