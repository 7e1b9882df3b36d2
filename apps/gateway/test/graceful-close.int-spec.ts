import { connect } from 'node:net';
import { type GatewayHarness, startGateway } from './gateway-harness';
import { suitePrefix } from '../../../test/fixtures';
import { DOCS_EXAMPLE_REQUEST } from '../../../test/docs-examples';

/**
 * Shutdown with a request still arriving on a kept-alive connection (a partner's HTTP client
 * pools its connections): the request is answered, the answer ends the connection, and the
 * gateway closes at once instead of waiting out the keep-alive timeout. Real HTTP over a socket.
 */
describe('gateway shutdown with a kept-alive connection mid-request', () => {
  let gateway: GatewayHarness;

  beforeAll(async () => {
    gateway = await startGateway({ QUEUE_PREFIX: suitePrefix('close'), LOG_LEVEL: 'error', HTTP_KEEP_ALIVE_TIMEOUT_MS: '60000' });
  });

  it('answers the request with Connection: close and closes without waiting out the keep-alive', async () => {
    const url = new URL(gateway.url);
    const body = Buffer.from(DOCS_EXAMPLE_REQUEST, 'utf8');
    const socket = connect(Number(url.port), url.hostname);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    // Headers and half the body now, keep-alive asked for; the rest once shutdown has begun.
    socket.write(
      `POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nConnection: keep-alive\r\nContent-Type: text/xml\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    socket.write(body.subarray(0, 100));
    await new Promise((resolve) => setTimeout(resolve, 100));

    const started = Date.now();
    const closed = gateway.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.write(body.subarray(100));
    await closed;
    const closeMs = Date.now() - started;
    await ended;

    const answer = Buffer.concat(received).toString('utf8');
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toMatch(/\r\nconnection: close\r\n/i);
    expect(answer).toContain('<STATUS>Success</STATUS>');
    expect(closeMs).toBeLessThan(5000);
  });
});
