import http from 'node:http';
import https from 'node:https';

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

/**
 * A POST with a deadline over kept-alive connections (one agent per connector): what an MM7
 * submit needs and no more. node:http rather than fetch, whose web-streams machinery cost more
 * CPU per request than everything else the delivery worker does (scripts/profile-workers.ts).
 */
export class HttpPoster {
  private readonly agent: http.Agent;
  private readonly client: typeof http | typeof https;
  private readonly url: URL;

  constructor(url: string, maxSockets = 64) {
    this.url = new URL(url);
    const secure = this.url.protocol === 'https:';
    this.client = secure ? https : http;
    this.agent = secure ? new https.Agent({ keepAlive: true, maxSockets }) : new http.Agent({ keepAlive: true, maxSockets });
  }

  /** Resolves with the status and the whole body; rejects on a network error or past timeoutMs. */
  post(headers: Record<string, string>, body: Buffer, timeoutMs: number): Promise<HttpAnswer> {
    return new Promise<HttpAnswer>((resolve, reject) => {
      const request = this.client.request(this.url, {
        method: 'POST',
        agent: this.agent,
        headers: { ...headers, 'content-length': String(body.length) },
      });
      const timer = setTimeout(() => request.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      request.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      request.once('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.once('end', () => {
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
        response.once('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
      });
      request.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
