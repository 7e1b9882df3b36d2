/**
 * The ceiling: the least a gateway on this machine has to do per accepted request, as a bare
 * server. Fastify, the `xml` form field read from the raw body (URLSearchParams), fast-xml-parser,
 * one BullMQ `queue.add` on the same Redis (its own prefix, no worker), a small XML answer. No
 * authentication, no database: whatever the gateway does beyond this is what accept_ratio weighs.
 *
 * Run as its own process by the bench: CEILING_PORT, REDIS_URL, CEILING_QUEUE_PREFIX.
 */
import { Queue } from 'bullmq';
import Fastify from 'fastify';
import { XMLParser } from 'fast-xml-parser';
import { redisOptionsFrom } from '@mms/queue';

const port = Number(process.env.CEILING_PORT);
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = process.env.CEILING_QUEUE_PREFIX ?? 'bench-ceiling';
if (!Number.isInteger(port) || port <= 0) throw new Error('CEILING_PORT is required');

const parser = new XMLParser({ parseTagValue: false, trimValues: true });
const queue = new Queue('ceiling', { prefix, connection: redisOptionsFrom(redisUrl, 'producer') });
queue.on('error', () => undefined); // a failed add answers the request with a Failure below

interface CeilingRequest {
  readonly REQUEST?: { readonly BARCODEID?: string; readonly TO?: string; readonly MMSID?: string };
}

const answer = (fields: Record<string, string>) =>
  `<RESPONSE>\n${Object.entries(fields)
    .map(([name, value]) => `    <${name}>${value}</${name}>\n`)
    .join('')}</RESPONSE>\n`;

async function main(): Promise<void> {
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  let accepted = 0;
  app.post('/API/wxml/1.3/index.php', async (request, reply) => {
    reply.header('content-type', 'text/xml; charset=utf-8');
    const body = Buffer.isBuffer(request.body) ? request.body.toString('utf8') : '';
    const xml = new URLSearchParams(body).get('xml');
    const parsed = xml === null ? undefined : (parser.parse(xml) as CeilingRequest).REQUEST;
    if (parsed?.BARCODEID === undefined) return answer({ STATUS: 'Failure', ERRORCODE: 'E100', ERRORINFO: 'no request' });
    accepted += 1;
    const trackingId = Buffer.from(`CEIL_${accepted}`).toString('base64');
    try {
      await queue.add('ceiling.accept', { trackingId, barcodeId: parsed.BARCODEID, to: parsed.TO }, { removeOnComplete: 1000 });
    } catch {
      return answer({ STATUS: 'Failure', ERRORCODE: 'E503', ERRORINFO: 'queue unavailable' });
    }
    return answer({ STATUS: 'Success', MMSID: parsed.MMSID ?? '', TRACKINGID: trackingId, TO: parsed.TO ?? '' });
  });
  app.get('/health/ready', async () => ({ status: 'ready' }));

  await queue.waitUntilReady();
  await app.listen({ port, host: '127.0.0.1' });
  const stop = () => {
    void app
      .close()
      .then(() => queue.close())
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(`ceiling-server: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
