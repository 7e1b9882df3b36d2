import { Socket } from 'node:net';

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

export function endpointOf(url: string, defaultPort: number): Endpoint {
  const parsed = new URL(url);
  return { host: parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1', port: Number(parsed.port) || defaultPort };
}

/** True when something accepts TCP connections at the endpoint within the timeout. */
export function canConnect({ host, port }: Endpoint, timeoutMs = 1500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

const howToStart = {
  redis:
    "start it with: redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save '' --appendonly no " +
    '(or `docker run -d -p 127.0.0.1:6379:6379 redis:7.4-alpine`)',
  postgres:
    'start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start ' +
    '(or `docker run -d -p 127.0.0.1:5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust postgres:17-alpine`)',
};

/**
 * Checks that Redis and PostgreSQL answer; returns one readable line per unreachable server
 * (what, where, how to start it) instead of letting a client library throw a stack trace.
 */
export async function unreachableServices(databaseUrl: string, redisUrl: string): Promise<string[]> {
  const pg = endpointOf(databaseUrl, 5432);
  const redis = endpointOf(redisUrl, 6379);
  const [pgUp, redisUp] = await Promise.all([canConnect(pg), canConnect(redis)]);
  const problems: string[] = [];
  if (!pgUp) problems.push(`PostgreSQL is not reachable at ${pg.host}:${pg.port} (DATABASE_URL); ${howToStart.postgres}`);
  if (!redisUp) problems.push(`Redis is not reachable at ${redis.host}:${redis.port} (REDIS_URL); ${howToStart.redis}`);
  return problems;
}
