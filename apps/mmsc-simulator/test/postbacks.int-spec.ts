import { EXAMPLE_NOTICE, EXAMPLE_POSTBACK, bundleOf, failedPostback, formBody, postbackWith, signatureHeader } from './postback-requests';
import { buildSubmitRequest, envelopeWith } from './mm7-requests';
import { Simulator, json, startSimulator } from './simulator-app';

/**
 * The simulator as the partner's postback receiver, over real HTTP: the three forms a postback
 * comes in, the signature, the JSON list, the page and its links to the inbox, the status switch.
 */

const SECRET = 'whsec-demo-postbacks';

interface ApiPostback {
  id: number;
  receivedAt: string;
  form: string;
  contentType: string;
  userAgent: string | null;
  idempotencyKey: string | null;
  timestampHeader: string | null;
  signatureHeader: string | null;
  signature: string;
  repeat: boolean;
  repeatOf: number | null;
  answeredStatus: number;
  bundled: boolean;
  notices: Array<Record<string, string | null>>;
  warnings: string[];
  document: string;
}

interface Sent {
  readonly status: number;
  readonly text: string;
  readonly contentType: string | null;
}

describe('MMSC simulator receiving partner postbacks', () => {
  let simulator: Simulator;
  let base: string;
  const postbacks = () => json<ApiPostback[]>(`${base}/api/postbacks`);

  /** POSTs a body as the fleet's sender does: signed over the exact bytes, with a key and a timestamp. */
  async function send(contentType: string | null, body: string | Buffer, headers: Record<string, string> = {}): Promise<Sent> {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const response = await fetch(`${base}/postbacks`, {
      method: 'POST',
      headers: {
        ...(contentType === null ? {} : { 'content-type': contentType }),
        'idempotency-key': 'pb-key-1',
        'x-postback-timestamp': timestamp,
        'x-postback-signature': signatureHeader(SECRET, timestamp, body),
        'user-agent': 'postback-test/1.0',
        ...headers,
      },
      body: typeof body === 'string' ? body : new Uint8Array(body),
    });
    return { status: response.status, text: await response.text(), contentType: response.headers.get('content-type') };
  }

  beforeAll(async () => {
    simulator = await startSimulator({ MMSC_SIM_POSTBACK_SECRET: SECRET });
    base = simulator.base;
  });

  afterAll(async () => {
    await simulator?.app.close();
  });

  beforeEach(async () => {
    await json(`${base}/api/config`, { method: 'DELETE' });
    await json(`${base}/api/postbacks`, { method: 'DELETE' });
    await json(`${base}/api/messages`, { method: 'DELETE' });
  });

  it('takes a raw XML postback: 200 OK, kept with its headers, its document and the notice read', async () => {
    const sent = await send('text/xml; charset=utf-8', EXAMPLE_POSTBACK);
    expect(sent).toEqual({ status: 200, text: 'OK', contentType: 'text/plain; charset=utf-8' });
    const [record, ...rest] = await postbacks();
    expect(rest).toEqual([]);
    expect(record).toMatchObject({
      form: 'raw',
      contentType: 'text/xml; charset=utf-8',
      userAgent: 'postback-test/1.0',
      idempotencyKey: 'pb-key-1',
      signature: 'valid',
      repeat: false,
      repeatOf: null,
      answeredStatus: 200,
      bundled: false,
      warnings: [],
      document: EXAMPLE_POSTBACK,
      notices: [EXAMPLE_NOTICE],
    });
    expect(record?.timestampHeader).toMatch(/^\d{10}$/);
    expect(record?.signatureHeader).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(Number.isNaN(Date.parse(record?.receivedAt ?? ''))).toBe(false);
  });

  it('takes the form fields xml and XML, checking the signature over the urlencoded bytes', async () => {
    const failed = failedPostback('TU1TXzk5', 'Handset &lt;unreachable&gt; &amp; "off"');
    expect((await send('application/x-www-form-urlencoded', formBody('xml', failed, { account: 'demo' }), { 'idempotency-key': 'a' })).status).toBe(200);
    expect((await send('application/x-www-form-urlencoded', formBody('XML', EXAMPLE_POSTBACK), { 'idempotency-key': 'b' })).status).toBe(200);
    const tampered = formBody('xml', EXAMPLE_POSTBACK);
    expect((await send('application/x-www-form-urlencoded', tampered, { 'idempotency-key': 'c', 'x-postback-signature': signatureHeader(SECRET, '1', tampered) })).status).toBe(200);
    const list = await postbacks();
    expect(list.map((r) => [r.form, r.idempotencyKey, r.signature, r.notices[0]?.code])).toEqual([
      ['xml field', 'c', 'invalid', 'N102'],
      ['XML field', 'b', 'valid', 'N102'],
      ['xml field', 'a', 'valid', 'E101'],
    ]);
    expect(list[2]?.document).toBe(failed);
    expect(list[2]?.notices[0]?.statusDetails).toBe('Handset <unreachable> & "off"');
    expect(list.map((r) => r.id)).toEqual([...list.map((r) => r.id)].sort((a, b) => b - a));
  });

  it('reads a bundle as one request with a notice per POSTBACK, oldest first', async () => {
    const sent = postbackWith({ CODE: 'N101', STATUS: 'Message Sent', TIMESTAMP: '2011-08-02T07:20:00-04:00', HANDSET: null, AGGREGATORID: null });
    expect((await send('application/xml', bundleOf(sent, EXAMPLE_POSTBACK))).status).toBe(200);
    const [record] = await postbacks();
    expect(record).toMatchObject({ bundled: true, warnings: [] });
    expect(record?.notices.map((n) => n.code)).toEqual(['N101', 'N102']);
  });

  it('refuses what a receiver cannot read, saying why, and keeps none of it', async () => {
    expect(await send('application/json', '{"code":"N101"}')).toMatchObject({ status: 415, text: expect.stringContaining('application/json is not a postback') });
    expect(await send(null, Buffer.from(EXAMPLE_POSTBACK))).toMatchObject({ status: 415, text: expect.stringContaining('no Content-Type') });
    expect(await send('application/x-www-form-urlencoded', 'document=x')).toMatchObject({ status: 400, text: 'the form has no field xml (nor XML); fields sent: document' });
    expect(await send('text/xml', '')).toMatchObject({ status: 400, text: 'the body is empty: no postback document' });
    expect(await send('text/xml', '<POSTBACK><CODE>')).toMatchObject({ status: 400, text: expect.stringContaining('not well-formed XML') });
    expect(await send('text/xml', '<RESPONSE/>')).toMatchObject({ status: 400, text: expect.stringContaining('a POSTBACK or a POSTBACKS') });
    expect(await postbacks()).toEqual([]);
  });

  it('answers postbackStatusCode while it is set, keeps those requests, and flags the redelivery as a repeat', async () => {
    await json(`${base}/api/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ postbackStatusCode: 503 }) });
    expect((await send('text/xml', EXAMPLE_POSTBACK)).status).toBe(503);
    await json(`${base}/api/config`, { method: 'DELETE' });
    expect(await send('text/xml', EXAMPLE_POSTBACK)).toMatchObject({ status: 200, text: 'OK' });
    const [retry, first] = await postbacks();
    expect(first).toMatchObject({ answeredStatus: 503, repeat: false });
    expect(retry).toMatchObject({ answeredStatus: 200, repeat: true, repeatOf: first?.id });

    const bad = await fetch(`${base}/api/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ postbackStatusCode: 42 }) });
    expect(bad.status).toBe(400);
    expect(await json(`${base}/api/config`)).toMatchObject({ postbackStatusCode: 200 });
  });

  it('shows the postbacks page, its TRACKINGIDs linked to the inbox message with that TransactionID', async () => {
    const request = buildSubmitRequest({ envelope: envelopeWith('TX-20240501-000123', 'TU1TXzEyMzQ2') });
    const submitted = await fetch(`${base}/mm7`, { method: 'POST', headers: { 'content-type': request.contentType, soapaction: '""' }, body: new Uint8Array(request.body) });
    expect(submitted.status).toBe(200);
    const [message] = await json<Array<{ id: string; transactionId: string }>>(`${base}/api/messages`);
    expect(message?.transactionId).toBe('TU1TXzEyMzQ2');
    await send('text/xml', bundleOf(EXAMPLE_POSTBACK, failedPostback('TU1TXzk5', '&lt;script&gt;alert(1)&lt;/script&gt;')));
    const [record] = await postbacks();

    const page = await fetch(`${base}/postbacks?refresh=0`);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    expect(html.match(/<article class="postback[^"]*" data-code="(N102|E101)" data-tracking-id="[^"]+" data-record="\d+" data-bundle="\d+"/g)).toHaveLength(2);
    expect(html).toContain(`data-bundle="${record?.id}"`);
    expect(html).toContain(`<a class="tracking-id" href="/#message-${message?.id}">TU1TXzEyMzQ2</a>`);
    expect(html).not.toMatch(/<a [^>]*>TU1TXzk5<\/a>/);
    expect(html).not.toContain('<script>');
    expect(html).toContain('<dd class="status-details">&#60;script&#62;alert(1)&#60;/script&#62;</dd>');
    expect(html).toContain('<a href="/">inbox</a>');
    expect(html).not.toContain('http-equiv="refresh"');

    const inbox = await (await fetch(`${base}/`)).text();
    expect(inbox).toContain(`id="message-${message?.id}"`);
    expect(inbox).toContain('<a href="/postbacks">postbacks</a>');
  });

  it('DELETE /api/postbacks empties the list; ids go on increasing', async () => {
    await send('text/xml', EXAMPLE_POSTBACK);
    await send('text/xml', EXAMPLE_POSTBACK, { 'idempotency-key': 'pb-key-2' });
    const before = await postbacks();
    expect(await json(`${base}/api/postbacks`, { method: 'DELETE' })).toEqual({ cleared: 2 });
    expect(await postbacks()).toEqual([]);
    await send('text/xml', EXAMPLE_POSTBACK);
    const [after] = await postbacks();
    expect(after?.id).toBeGreaterThan(before[0]?.id ?? Number.POSITIVE_INFINITY);
    expect(after?.repeat).toBe(false);
  });
});
