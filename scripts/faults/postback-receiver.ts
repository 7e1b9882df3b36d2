import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import type { Socket } from 'node:net';

export interface ReceivedPostback {
  readonly trackingId: string;
  readonly code: string;
  readonly idempotencyKey: string;
}

/**
 * The partner's postback receiver, run by the suite so that it can be taken down and brought back
 * on the same port. It keeps every notice it acknowledged, in arrival order; a notice arriving
 * again with an Idempotency-Key it already holds is counted as a repeat, as a partner would drop it.
 */
export class PostbackReceiver {
  readonly received: ReceivedPostback[] = [];
  private readonly keys = new Set<string>();
  repeats = 0;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  private constructor(readonly port: number) {}

  static async open(port: number): Promise<PostbackReceiver> {
    const receiver = new PostbackReceiver(port);
    await receiver.up();
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/postbacks`;
  }

  /** Stops listening and resets open connections: senders see connection refused. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  up(): Promise<void> {
    if (this.server !== undefined) return Promise.resolve();
    const server = createServer((request, response) => void this.take(request, response));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
  }

  /** Notices received per tracking id, codes in arrival order (repeats left out). */
  byMessage(): Map<string, string[]> {
    const codes = new Map<string, string[]>();
    for (const notice of this.received) codes.set(notice.trackingId, [...(codes.get(notice.trackingId) ?? []), notice.code]);
    return codes;
  }

  private async take(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    let body = Buffer.concat(chunks).toString('utf8');
    // The account may use a form (`xml` / `XML` field) instead of the raw document.
    if ((request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      const form = new URLSearchParams(body);
      body = form.get('xml') ?? form.get('XML') ?? '';
    }
    const key = String(request.headers['idempotency-key'] ?? '');
    const notices = [...body.matchAll(/<POSTBACK>([\s\S]*?)<\/POSTBACK>/g)].map((m) => m[1] ?? '');
    for (const notice of notices.length > 0 ? notices : [body]) {
      const trackingId = /<TRACKINGID>\s*([^<]*?)\s*<\/TRACKINGID>/.exec(notice)?.[1];
      const code = /<CODE>\s*([^<]*?)\s*<\/CODE>/.exec(notice)?.[1];
      if (trackingId === undefined || code === undefined) continue;
      const noticeKey = `${key}/${trackingId}/${code}`;
      if (this.keys.has(noticeKey)) {
        this.repeats += 1;
        continue;
      }
      this.keys.add(noticeKey);
      this.received.push({ trackingId, code, idempotencyKey: key });
    }
    response.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
  }
}
