import { randomBytes } from 'node:crypto';
import { type IncomingHttpHeaders, type IncomingMessage, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import { PrismaService } from '@mms/db';
import { DOCS_EXAMPLE_REQUEST, responseField } from '../../../test/docs-examples';
import { suitePrefix } from '../../../test/fixtures';
import { GatewayHarness, startGateway } from './gateway-harness';
import {
  BILLION_LAUGHS_DOCTYPE,
  KEYLESS_REQUEST,
  type Hit,
  REL6,
  type ReportHit,
  type Shot,
  basicAuthorization,
  expectFailure,
  expectFault,
  inBatches,
  postReport,
  quadraticBlowup,
  report,
  shoot,
  xmlCarriers,
} from './hostile-kit';

/**
 * Floods of hostile input at both of the partners' port's endpoints (the partner API and the
 * carriers' delivery reports), over real HTTP with real PostgreSQL and Redis: XML bombs, 100 MB
 * bodies, 10,000-deep nesting, slowloris connections, invalid UTF-8 and NUL bytes, and a seeded
 * fuzz. Each is answered (a Failure, a SOAP Fault, 413 or 408) or cut off in bounded time and
 * memory, nothing crashes, and all the while the demo account, sending the docs' example, keeps
 * getting Success within SERVED_WITHIN_MS.
 */

const USER = 'mmsc';
const PASSWORD = 'hostile-flood-inbound-secret';
/** Above 10,000-deep nesting (70 KB) and the quadratic blowup below, far below a 100 MB flood. */
const BODY_LIMIT = 256 * 1024;
/** HTTP_REQUEST_TIMEOUT_MS here: a request must have arrived whole within it. */
const REQUEST_TIMEOUT_MS = 2000;
/** Hang guards, not performance targets: two cores, shared with other suites. */
const ANSWER_WITHIN_MS = 3000;
const SERVED_WITHIN_MS = 5000;
const SLOW_CLOSED_WITHIN_MS = REQUEST_TIMEOUT_MS + 3000;
const FLOOD_BYTES = 100 * 2 ** 20;
/** A server that stopped reading closes the connection right after its 413, not at a timeout. */
const CLOSED_AFTER_ANSWER_WITHIN_MS = 1000;
const RSS_GROWTH_BOUND = 100 * 2 ** 20;
const FUZZ_RUNS = 200;
const FIXED_SEED = 20_260_611;

const authorization = basicAuthorization(USER, PASSWORD);
const bounds = { limit: BODY_LIMIT, withinMs: ANSWER_WITHIN_MS };
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What `promise` gives, or `fallback` once `ms` have passed (the timer does not outlive the race). */
async function within<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<F>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** The random seed of this run, printed so that a failure can be replayed (FUZZ_SEED=<n>). */
const randomSeed = process.env.FUZZ_SEED === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(process.env.FUZZ_SEED);

interface Served {
  readonly ms: number;
  readonly http: number;
  readonly status: string | undefined;
  readonly error?: string;
}

/** Answers of a 100 MB upload: when the answer came, and whether the server hung up. */
interface FloodAnswer {
  readonly http: number | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly xml: string;
  readonly ms: number;
  /** Bytes written when the answer came, or the connection closed. */
  readonly sentAtAnswer: number;
  readonly closedByServer: boolean;
}

/** FLOOD_BYTES in 64 KiB chunks, `lead` first: one buffer written again and again, never 100 MB held. */
function* floodChunks(lead: string): Generator<Buffer> {
  const filler = Buffer.alloc(64 * 1024, 'x');
  const first = Buffer.from(lead);
  yield first;
  for (let sent = first.length; sent < FLOOD_BYTES; sent += filler.length) {
    yield FLOOD_BYTES - sent >= filler.length ? filler : filler.subarray(0, FLOOD_BYTES - sent);
  }
}

/** Streams FLOOD_BYTES to `url` until the server answers or hangs up; never waits past a guard. */
async function flood(url: string, lead: string, headers: Record<string, string>): Promise<FloodAnswer> {
  const started = performance.now();
  const request = httpRequest(url, { method: 'POST', headers, agent: false });
  request.on('error', () => undefined); // a reset after the answer is what is measured, not an error
  const answered = new Promise<IncomingMessage>((resolve) => request.once('response', resolve));
  const closed = new Promise<void>((resolve) => request.once('socket', (socket) => socket.once('close', () => resolve())));
  let sent = 0;
  let sentAtAnswer: number | undefined;
  const stop = Promise.race([answered, closed]).then(() => {
    sentAtAnswer ??= sent;
  });
  for (const chunk of floodChunks(lead)) {
    if (sentAtAnswer !== undefined) break;
    sent += chunk.length;
    if (!request.write(chunk)) await Promise.race([new Promise((resolve) => request.once('drain', resolve)), stop]);
  }
  if (sentAtAnswer === undefined) request.end();
  const response = await within(Promise.race([answered, closed.then(() => undefined)]), 30_000, undefined);
  const ms = performance.now() - started;
  let xml = '';
  if (response !== undefined) {
    response.setEncoding('utf8');
    response.on('data', (text: string) => (xml += text));
    await new Promise((resolve) => {
      response.once('end', resolve);
      response.once('close', resolve);
    });
  }
  const closedByServer = await within(closed.then(() => true), CLOSED_AFTER_ANSWER_WITHIN_MS, false);
  request.destroy();
  return { http: response?.statusCode, headers: response?.headers ?? {}, xml, ms, sentAtAnswer: sentAtAnswer ?? sent, closedByServer };
}

/**
 * A slowloris connection: writes `head` at once, then `drip` one byte every 100 ms, until the
 * server closes it (or the guard does). Answers how long it stayed open and what it was told.
 */
function slowloris(port: number, head: string, drip: string): Promise<{ openMs: number; reply: string }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    let at = 0;
    const dripper = setInterval(() => {
      if (at < drip.length && socket.writable) socket.write(drip[at++] as string);
    }, 100);
    const guard = setTimeout(() => socket.destroy(), SLOW_CLOSED_WITHIN_MS + 5000);
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => (reply += text));
    socket.on('error', () => undefined);
    socket.once('connect', () => socket.write(head));
    socket.once('close', () => {
      clearInterval(dripper);
      clearTimeout(guard);
      resolve({ openMs: performance.now() - started, reply });
    });
  });
}

/** A multipart/form-data body of one field, name and value as raw bytes (boundary B). */
function multipartBytes(name: Buffer, value: Buffer): Uint8Array {
  return new Uint8Array(
    Buffer.concat([Buffer.from('--B\r\ncontent-disposition: form-data; name="'), name, Buffer.from('"\r\n\r\n'), value, Buffer.from('\r\n--B--\r\n')]),
  );
}

/** Bytes that are no UTF-8: a lone continuation byte, 0xFF, an overlong NUL, a cut sequence, an encoded surrogate. */
const INVALID_UTF8 = [Buffer.from([0x80]), Buffer.from([0xff, 0xfe]), Buffer.from([0xc0, 0x80]), Buffer.from([0xe2, 0x82]), Buffer.from([0xed, 0xa0, 0x80])];
const NUL = Buffer.from([0x00]);

/** `text` with `bytes` in place of every `marker`. */
function spliced(text: string, marker: string, bytes: Buffer): Uint8Array {
  return new Uint8Array(Buffer.concat(text.split(marker).flatMap((part, i) => (i === 0 ? [Buffer.from(part)] : [bytes, Buffer.from(part)]))));
}

describe('gateway: hostile floods are answered in bounded time and memory while partners are served', () => {
  let gateway: GatewayHarness;
  let reportsUrl: string;
  let port: number;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    gateway = await startGateway({
      QUEUE_PREFIX: suitePrefix('hostile-flood'),
      MM7_INBOUND_USERNAME: USER,
      MM7_INBOUND_PASSWORD: PASSWORD,
      REQUEST_BODY_LIMIT_BYTES: String(BODY_LIMIT),
      HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      // Every client here is 127.0.0.1: in life the hostile ones are other partners' addresses,
      // and their failed logins must not throttle the demo partner's.
      LOGIN_FAILURES_PER_ADDRESS: '0',
      LOGIN_FAILURES_PER_KEY_PREFIX: '0',
      RECONCILE_INTERVAL_MS: '3600000',
      LOG_LEVEL: 'fatal',
    });
    reportsUrl = `${new URL(gateway.url).origin}/mm7/delivery-reports`;
    port = Number(new URL(gateway.url).port);
  });

  afterAll(async () => {
    await gateway?.close();
    process.off('unhandledRejection', onUnhandled);
  });

  const partner = (shot: Shot) => shoot(gateway.url, shot);
  const send = (via: string, xml: string) => partner((xmlCarriers[via] as (xml: string) => Shot)(xml));
  const mmsc = (body: string | Uint8Array, headers: Record<string, string> = {}) =>
    postReport(reportsUrl, body, { 'content-type': 'text/xml; charset=utf-8', authorization, ...headers });
  const multipartReport = (envelope: string) =>
    mmsc(`--b1\r\nContent-Type: text/xml\r\n\r\n${envelope}\r\n--b1--\r\n`, { 'content-type': 'multipart/related; boundary="b1"; type="text/xml"' });

  /**
   * Runs `hostile` while the demo account sends the docs' example, one request after the other;
   * every one of them must get Success within SERVED_WITHIN_MS.
   */
  async function whileServed<T>(hostile: () => Promise<T>): Promise<T> {
    const served: Served[] = [];
    let stopping = false;
    const demo = (async () => {
      do {
        const started = performance.now();
        try {
          const response = await fetch(gateway.url, {
            method: 'POST',
            body: DOCS_EXAMPLE_REQUEST,
            headers: { 'content-type': 'text/xml' },
            signal: AbortSignal.timeout(SERVED_WITHIN_MS * 2),
          });
          const xml = await response.text();
          served.push({ ms: performance.now() - started, http: response.status, status: responseField(xml, 'STATUS') });
        } catch (error) {
          served.push({ ms: performance.now() - started, http: 0, status: undefined, error: String(error) });
        }
        await sleep(25);
      } while (!stopping);
    })();
    let result: T;
    try {
      result = await hostile();
    } finally {
      stopping = true;
      await demo;
    }
    expect(served.length).toBeGreaterThan(0);
    expect(served.filter((s) => s.http !== 200 || s.status !== 'Success' || s.ms >= SERVED_WITHIN_MS)).toEqual([]);
    return result;
  }

  it('refuses XML bombs (billion laughs, a quadratic blowup) at both endpoints, expanding nothing', async () => {
    // Expanded, the blowup would be 1.2 GB; sent, it is 123 KB (223 KB urlencoded), under the
    // limit, so it is read.
    const blowup = quadraticBlowup(48 * 1024, 25_000);
    const laughs = `${BILLION_LAUGHS_DOCTYPE}<REQUEST><ACTION>&lol9;</ACTION></REQUEST>`;
    const partnerBombs = [
      ...Object.keys(xmlCarriers).map((via) => () => send(via, laughs)),
      ...['raw', 'urlencoded', 'multipart'].map((via) => () => send(via, blowup)),
    ];
    const reportBlowup = `<!DOCTYPE r [<!ENTITY a "${'a'.repeat(48 * 1024)}">]>${report(`<StatusText>${'&a;'.repeat(25_000)}</StatusText>`, 'flood-refused-bomb').replace(/^<\?xml[^>]*>/, '')}`;
    const reportLaughs = `${BILLION_LAUGHS_DOCTYPE}${report('<StatusText>&lol9;</StatusText>', 'flood-refused-laughs').replace(/^<\?xml[^>]*>/, '')}`;
    const reportBombs = [() => mmsc(reportLaughs), () => mmsc(reportBlowup), () => multipartReport(reportLaughs), () => multipartReport(reportBlowup)];

    await whileServed(async () => {
      const [partnerHits, reportHits] = await Promise.all([
        inBatches([...partnerBombs, ...partnerBombs], 4, (bomb) => bomb()),
        inBatches([...reportBombs, ...reportBombs], 4, (bomb) => bomb()),
      ]);
      for (const hit of partnerHits) {
        expect(expectFailure(hit, bounds)).toBe('E108');
        expect(hit.xml.length).toBeLessThan(2000);
        expect(hit.xml).not.toMatch(/lollol|aaaa/);
      }
      for (const hit of reportHits) {
        expect(expectFault(hit, 400, ANSWER_WITHIN_MS)).toMatchObject({ code: '4004', faultcode: 'env:Client' });
        expect(hit.xml).not.toMatch(/lollol|aaaa/);
      }
    });
  });

  it('answers a 100 MB body, with and without Content-Length, at both endpoints with 413 before it was sent, and hangs up; RSS stays bounded', async () => {
    const uploads: Array<[string, string, string, Record<string, string>]> = [
      ['partner API, Content-Length', gateway.url, '<REQUEST><TO>', { 'content-type': 'text/xml', 'content-length': String(FLOOD_BYTES) }],
      ['partner API, chunked', gateway.url, '<REQUEST><TO>', { 'content-type': 'text/xml' }],
      ['reports, Content-Length', reportsUrl, report().slice(0, 200), { 'content-type': 'text/xml', authorization, 'content-length': String(FLOOD_BYTES) }],
      ['reports, chunked', reportsUrl, report().slice(0, 200), { 'content-type': 'text/xml', authorization }],
    ];
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    let answers: FloodAnswer[];
    try {
      answers = await whileServed(() => Promise.all(uploads.map(([, url, lead, headers]) => flood(url, lead, headers))));
    } finally {
      clearInterval(sampler);
    }
    const seen = answers.map((answer, i) => ({ upload: uploads[i]?.[0], http: answer.http, early: answer.sentAtAnswer < FLOOD_BYTES / 4, hungUp: answer.closedByServer }));
    expect(seen).toEqual(uploads.map(([upload]) => ({ upload, http: 413, early: true, hungUp: true })));
    answers.forEach((answer, i) => {
      expect(answer.headers.connection).toBe('close');
      const hit = { contentType: String(answer.headers['content-type']), xml: answer.xml, ms: answer.ms };
      if (i < 2) expect(expectFailure({ ...hit, http: 413, size: undefined }, bounds)).toBe('E100');
      else expect(expectFault({ ...hit, status: 413 }, 413, ANSWER_WITHIN_MS).code).toBe('4004');
    });
    expect(peak - before).toBeLessThan(RSS_GROWTH_BOUND);
  });

  it('answers 10,000-deep nesting at both endpoints with E108 and a Fault (4004)', async () => {
    const deep = (closed: boolean) => `${'<a>'.repeat(10_000)}x${closed ? '</a>'.repeat(10_000) : ''}`;
    const partnerShots = [true, false].flatMap((closed) => ['raw', 'urlencoded', 'multipart'].map((via) => () => send(via, `<REQUEST>${deep(closed)}</REQUEST>`)));
    const reportShots = [true, false].flatMap((closed) => [
      () => mmsc(report(deep(closed), 'flood-refused-deep')),
      () => multipartReport(report(deep(closed), 'flood-refused-deep')),
    ]);
    await whileServed(async () => {
      const [partnerHits, reportHits] = await Promise.all([
        inBatches([...partnerShots, ...partnerShots], 4, (shot) => shot()),
        inBatches([...reportShots, ...reportShots], 4, (shot) => shot()),
      ]);
      for (const hit of partnerHits) expect(expectFailure(hit, bounds)).toBe('E108');
      for (const hit of reportHits) expect(expectFault(hit, 400, ANSWER_WITHIN_MS).code).toBe('4004');
    });
  });

  it(`cuts off 50 slowloris connections (headers or body a byte at a time) with 408 or a close within ${SLOW_CLOSED_WITHIN_MS} ms`, async () => {
    // Regression (found by this suite): none was cut within 10 s. Node checks requestTimeout only
    // every connectionsCheckingInterval (30 s by default), and in Node 20 not at all once the
    // headers are in: a body could come a byte at a time for ever (bootstrap.ts, cutSlowBodies).
    const host = `Host: 127.0.0.1:${port}\r\n`;
    // Never whole before the timeout: 100 ms a byte.
    const padding = `X-Padding: ${'a'.repeat(400)}\r\n\r\n`;
    const kinds: Array<[string, string]> = [
      ['', `POST /API/wxml/1.3/index.php HTTP/1.1\r\n${host}Content-Type: text/xml\r\n${padding}`],
      [`POST /API/wxml/1.3/index.php HTTP/1.1\r\n${host}Content-Type: text/xml\r\nContent-Length: 10000\r\n\r\n`, `<REQUEST>${'<TO>1</TO>'.repeat(1000)}`],
      ['', `POST /mm7/delivery-reports HTTP/1.1\r\n${host}Authorization: ${authorization}\r\nContent-Type: text/xml\r\n${padding}`],
      [`POST /mm7/delivery-reports HTTP/1.1\r\n${host}Authorization: ${authorization}\r\nContent-Type: text/xml\r\nContent-Length: 10000\r\n\r\n`, report('x'.repeat(10_000))],
    ];
    const outcomes = await whileServed(() => Promise.all(Array.from({ length: 50 }, (_, i) => kinds[i % kinds.length] as [string, string]).map(([head, drip]) => slowloris(port, head, drip))));
    expect(outcomes.filter((o) => o.openMs >= SLOW_CLOSED_WITHIN_MS)).toEqual([]);
    // Whatever a cut-off connection was told, it was told 408 (or nothing: closed).
    expect(outcomes.filter((o) => o.reply !== '' && !o.reply.startsWith('HTTP/1.1 408'))).toEqual([]);
  });

  describe('invalid UTF-8 and NUL bytes', () => {
    /**
     * Each request with the bytes in it, and the code for NUL and for invalid UTF-8. Bytes that
     * arrive percent-encoded are decoded to U+FFFD, so a keyless request then fails on its key
     * (E104); a field or parameter whose name they spoil is not there at all (E100, E102).
     */
    const partnerCases: Array<[string, (bad: Buffer) => Shot, string, string]> = [
      ['as the raw body', (bad) => ({ body: new Uint8Array(bad), contentType: 'text/xml' }), 'E100', 'E108'],
      ['after <REQUEST> in the raw body', (bad) => ({ body: new Uint8Array(Buffer.concat([Buffer.from('<REQUEST>'), bad, Buffer.from('</REQUEST>')])), contentType: 'text/xml' }), 'E108', 'E108'],
      ['in an element value', (bad) => ({ body: spliced(KEYLESS_REQUEST, '16501234123', bad), contentType: 'text/xml' }), 'E108', 'E108'],
      ['in a tag name', (bad) => ({ body: spliced(KEYLESS_REQUEST.replace(/TO>/g, 'TXXO>'), 'XX', bad), contentType: 'text/xml' }), 'E108', 'E108'],
      ['in the urlencoded xml field', (bad) => ({ body: spliced(`XML=${encodeURIComponent(KEYLESS_REQUEST)}`, '16501234123', bad), contentType: 'application/x-www-form-urlencoded' }), 'E108', 'E108'],
      ['in a urlencoded field name', (bad) => ({ body: new Uint8Array(Buffer.concat([Buffer.from('X'), bad, Buffer.from(`ML=${encodeURIComponent(KEYLESS_REQUEST)}`)])), contentType: 'application/x-www-form-urlencoded' }), 'E100', 'E108'],
      ['percent-encoded in the urlencoded xml field', (bad) => ({ body: new TextEncoder().encode(`XML=${encodeURIComponent(KEYLESS_REQUEST).replace('16501234123', percentEncoded(bad))}`), contentType: 'application/x-www-form-urlencoded' }), 'E108', 'E104'],
      ['in a multipart field value', (bad) => ({ body: multipartBytes(Buffer.from('xml'), Buffer.from(spliced(KEYLESS_REQUEST, '16501234123', bad))), contentType: 'multipart/form-data; boundary=B' }), 'E108', 'E108'],
      ['in a multipart field name', (bad) => ({ body: multipartBytes(Buffer.concat([Buffer.from('x'), bad, Buffer.from('ml')]), Buffer.from(KEYLESS_REQUEST)), contentType: 'multipart/form-data; boundary=B' }), 'E100', 'E108'],
      ['in a GET xml parameter', (bad) => ({ query: `xml=${encodeURIComponent(KEYLESS_REQUEST).replace('16501234123', percentEncoded(bad))}` }), 'E108', 'E108'],
      ['in GET parameter values', (bad) => ({ query: `action=sendMMSBarcode&api_key=${percentEncoded(bad)}&to=1650${percentEncoded(bad)}` }), 'E108', 'E104'],
      ['in a GET parameter name', (bad) => ({ query: `action=sendMMSBarcode&api${percentEncoded(bad)}key=x&to=16501234123` }), 'E102', 'E102'],
    ];

    it.each(partnerCases)('are answered by the partner API with a Failure %s', async (_case, shotWith, forNul, forInvalid) => {
      const hits = await whileServed(() => inBatches([NUL, ...INVALID_UTF8], 3, (bad) => partner(shotWith(bad))));
      expect(hits.map((hit: Hit) => expectFailure(hit, bounds))).toEqual([forNul, ...INVALID_UTF8.map(() => forInvalid)]);
    });

    const multipart = 'multipart/related; boundary="b1"';
    /** Each body with the bytes in it; `id` starts the MessageID (refused ones are counted at the end). */
    const reportCases: Array<[string, (bad: Buffer, id: string) => Uint8Array, string]> = [
      ['as the raw body', (bad) => new Uint8Array(bad), 'text/xml'],
      ['in the MessageID', (bad, id) => spliced(report('', `${id}XX`), 'XX', bad), 'text/xml'],
      ['in the StatusText', (bad, id) => spliced(report('<StatusText>XX</StatusText>', id), 'XX', bad), 'text/xml'],
      ['in a tag name', (bad, id) => spliced(report('', id).replace(/MessageID/g, 'MessageXX'), 'XX', bad), 'text/xml'],
      ['in the SOAP part of a multipart body', (bad, id) => spliced(`--b1\r\nContent-Type: text/xml\r\n\r\n${report('', `${id}XX`)}\r\n--b1--\r\n`, 'XX', bad), multipart],
      ['in the part headers of a multipart body', (bad, id) => spliced(`--b1\r\nContent-XX: text/xml\r\n\r\n${report('', id)}\r\n--b1--\r\n`, 'XX', bad), multipart],
    ];

    it.each(reportCases)('are answered by the delivery-report endpoint with a Fault %s (invalid UTF-8: or taken, as U+FFFD)', async (_case, bodyWith, contentType) => {
      const hits = await whileServed(() =>
        inBatches([NUL, ...INVALID_UTF8], 3, async (bad) => ({ bad, hit: await mmsc(bodyWith(bad, bad === NUL ? 'flood-refused-' : 'flood-replaced-'), { 'content-type': contentType }) })),
      );
      for (const { bad, hit } of hits) {
        // NUL is no XML character (and no PostgreSQL text): refused, never a 500 for the MMSC to
        // send again and again. An invalid UTF-8 sequence is read as U+FFFD, as Node decodes.
        if (bad === NUL || hit.status !== 200) expect(expectFault(hit, 400, ANSWER_WITHIN_MS).code).toBe('4004');
        else expect(hit.xml).toContain('<DeliveryReportRsp');
      }
    });
  });

  it('answers reports the database cannot hold as they are: a MessageID too long for its index refused (400), a Date before year 1 dropped', async () => {
    // Regression (found by this suite): both reached PostgreSQL (index row size exceeds btree
    // maximum; date/time field value out of range) and were answered 500, env:Server: "send it
    // again later", which the MMSC would do for ever. NUL bytes did the same (above).
    const longId = `flood-refused-${randomBytes(3000).toString('base64')}`;
    const dates = ['0000-01-01T00:00:00Z', '-010000-01-01T00:00:00Z'];
    const [tooLong, ...dated] = await whileServed(() =>
      Promise.all([mmsc(report('', longId)), ...dates.map((date, i) => mmsc(report(`<Date>${date}</Date>`, `flood-dated-${i}-${randomBytes(4).toString('hex')}`)))]),
    );
    expect(expectFault(tooLong as ReportHit, 400, ANSWER_WITHIN_MS)).toMatchObject({ code: '4004', reason: 'MessageID is longer than 512 characters' });
    for (const hit of dated) expect(hit.status).toBe(200);
    const stored = await gateway.app.get(PrismaService).deliveryReport.findMany({ where: { mmscMessageId: { startsWith: 'flood-dated-' } } });
    expect(stored.map((row) => row.reportedAt)).toEqual([null, null]);
  });

  describe.each([
    ['a fixed seed', FIXED_SEED],
    ['a random seed', randomSeed],
  ])('fuzz with %s', (_name, seed) => {
    beforeAll(() => {
      process.stdout.write(`hostile-flood: fuzz with ${_name} ${seed}${seed === FIXED_SEED ? '' : ` (replay: FUZZ_SEED=${seed})`}\n`);
    });

    it('the partner API answers every request form of arbitrary bytes with a Failure', async () => {
      await whileServed(() =>
        fc.assert(
          fc.asyncProperty(partnerFuzz, async (shot) => {
            expectFailure(await partner(shot), bounds);
          }),
          { seed, numRuns: FUZZ_RUNS, endOnFailure: true },
        ),
      );
    });

    it('the delivery-report endpoint answers arbitrary envelopes, bytes, headers and content types with a Fault (400, 401, 413) or takes a whole report', async () => {
      let taken = 0;
      await whileServed(() =>
        fc.assert(
          fc.asyncProperty(reportFuzz, async ({ body, headers }) => {
            const hit = await postReport(reportsUrl, body, headers);
            if (hit.status === 200) {
              expect(hit.ms).toBeLessThan(ANSWER_WITHIN_MS);
              expect(hit.xml).toContain('<DeliveryReportRsp');
              taken += 1;
              return;
            }
            expect([400, 401, 413]).toContain(hit.status);
            expect(expectFault(hit, hit.status, ANSWER_WITHIN_MS).code).toBe(hit.status === 401 ? '4001' : '4004');
          }),
          { seed, numRuns: FUZZ_RUNS, endOnFailure: true },
        ),
      );
      // What was refused was not stored: only taken reports are.
      const stored = await gateway.app.get(PrismaService).deliveryReport.count({ where: { mmscMessageId: { startsWith: `flood-fuzz-${seed}` } } });
      expect(stored).toBeLessThanOrEqual(taken);
    });

    // -------------------------------------------------------------------------------------------
    // The fuzz's requests

    const bytes = (maxLength: number) => fc.uint8Array({ maxLength }).map((b) => Buffer.from(b));
    const badBytes = fc.constantFrom(NUL, ...INVALID_UTF8);
    const text = (maxLength: number) => fc.string({ unit: 'binary', maxLength }).map((s) => Buffer.from(s));
    const markup = fc
      .constantFrom('<REQUEST>', '</REQUEST>', '<TO>', '</TO>', '<ACTION>sendMMSBarcode</ACTION>', '<a ', ' b="', '"', '>', '/>', '</', '<!--', '-->', '<![CDATA[', ']]>', '&', '&lt;', '&#0;', '&lol9;', '<!DOCTYPE r [<!ENTITY a "aaaa">]>', BILLION_LAUGHS_DOCTYPE, '<a>'.repeat(50))
      .map((s) => Buffer.from(s));
    /** A document: the keyless example, cut and spliced with markup, bad bytes, random text or bytes. */
    const document = fc
      .tuple(fc.nat(), fc.array(fc.oneof({ arbitrary: markup, weight: 4 }, badBytes, text(40), bytes(40)), { maxLength: 20 }), fc.boolean())
      .map(([at, pieces, keep]) => {
        const base = Buffer.from(KEYLESS_REQUEST);
        const cut = at % (base.length + 1);
        return keep ? Buffer.concat([base.subarray(0, cut), ...pieces, base.subarray(cut)]) : Buffer.concat(pieces);
      });
    const printable = fc.string({ unit: 'binary-ascii', maxLength: 60 }).map((s) => s.replace(/[^\x20-\x7e]/g, ''));
    const partnerFuzz: fc.Arbitrary<Shot> = fc.oneof(
      fc.tuple(document, fc.oneof(fc.constantFrom('text/xml', 'application/xml', 'text/plain'), printable)).map(([doc, contentType]) => ({ body: new Uint8Array(doc), contentType })),
      fc.tuple(document, fc.constantFrom('XML=', 'xml=', 'Xml=x&xml=', ''), fc.boolean()).map(([doc, field, encode]) => ({
        body: new Uint8Array(Buffer.concat([Buffer.from(field), encode ? Buffer.from(percentEncoded(doc)) : doc])),
        contentType: 'application/x-www-form-urlencoded',
      })),
      fc.tuple(document, fc.oneof(fc.constant(Buffer.from('xml')), text(10), bytes(10))).map(([doc, name]) => ({ body: multipartBytes(name, doc), contentType: 'multipart/form-data; boundary=B' })),
      document.map((doc) => ({ query: `xml=${percentEncoded(doc.subarray(0, 1000))}` })),
    );

    const mm7Piece = fc
      .constantFrom(
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/">',
        '</env:Envelope>',
        '<env:Header>',
        '</env:Header>',
        `<mm7:TransactionID xmlns:mm7="${REL6}" env:mustUnderstand="1">t1</mm7:TransactionID>`,
        '<env:Body>',
        '</env:Body>',
        `<DeliveryReportReq xmlns="${REL6}">`,
        '</DeliveryReportReq>',
        '<MM7Version>6.8.0</MM7Version>',
        '<MM7Version>5.3.0</MM7Version>',
        `<MessageID>flood-fuzz-${seed}</MessageID>`,
        '<Recipient><Number>16505550100</Number></Recipient>',
        '<Sender><RFC2822Address>a@b</RFC2822Address></Sender>',
        '<MMStatus>Retrieved</MMStatus>',
        '<MMStatus></MMStatus>',
        '<Date>2026-01-01T00:00:00Z</Date>',
        '<Date>not a date</Date>',
        '<StatusText>ok</StatusText>',
        '<UACapabilities UAProf="http://x/p.rdf"/>',
        '<env:Fault><faultcode>env:Client</faultcode></env:Fault>',
        '<!DOCTYPE r [<!ENTITY a "aaaa">]>',
        '&a;',
        '<![CDATA[',
        ']]>',
        '<x>'.repeat(40),
        '<x/>'.repeat(600),
      )
      .map((s) => Buffer.from(s));
    /** A whole report (so that a few are taken) or MM7-ish pieces in any order, with bad bytes and noise. */
    const envelope = fc.oneof(
      fc.array(fc.oneof({ arbitrary: mm7Piece, weight: 6 }, badBytes, text(30), bytes(30)), { maxLength: 30 }).map((pieces) => Buffer.concat(pieces)),
      fc.tuple(fc.nat(), fc.array(fc.oneof(mm7Piece, badBytes, text(20)), { maxLength: 4 })).map(([at, pieces]) => {
        const whole = Buffer.from(report('', `flood-fuzz-${seed}-whole`));
        const cut = at % (whole.length + 1);
        return Buffer.concat([whole.subarray(0, cut), ...pieces, whole.subarray(cut)]);
      }),
    );
    const reportFuzz = fc
      .record({
        envelope,
        multipart: fc.boolean(),
        contentType: fc.oneof(fc.constantFrom('text/xml; charset=utf-8', 'application/soap+xml', 'text/plain', 'application/octet-stream', ';', '*/*', 'multipart/related', 'multipart/related; boundary='), printable),
        // Mostly the MMSC's own credentials: a 401 is answered before the report is read.
        auth: fc.oneof(
          { arbitrary: fc.constant(authorization), weight: 8 },
          fc.constantFrom(basicAuthorization(USER, 'wrong-password'), basicAuthorization('', ''), 'Basic !!!', 'Bearer x', undefined),
        ),
        extra: fc.dictionary(fc.constantFrom('soapaction', 'accept', 'content-language', 'x-request-id', 'content-encoding', 'x-mms-whatever'), printable, { maxKeys: 3 }),
      })
      .map(({ envelope: env, multipart, contentType, auth, extra }) => {
        const headers: Record<string, string> = { ...extra, 'content-type': multipart ? 'multipart/related; boundary="b1"; type="text/xml"' : contentType };
        if (auth !== undefined) headers['authorization'] = auth;
        const body = multipart ? Buffer.concat([Buffer.from('--b1\r\nContent-Type: text/xml\r\n\r\n'), env, Buffer.from('\r\n--b1--\r\n')]) : env;
        return { body: new Uint8Array(body), headers };
      });
  });

  it('stored none of the refused reports, and nothing went unhandled', async () => {
    expect(await gateway.app.get(PrismaService).deliveryReport.count({ where: { mmscMessageId: { startsWith: 'flood-refused-' } } })).toBe(0);
    expect(unhandled).toEqual([]);
  });
});

/** Every byte percent-encoded, as a form or a query carries bytes that are no text. */
function percentEncoded(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('');
}
