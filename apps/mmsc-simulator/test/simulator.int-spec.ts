import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { readResponseStatus, readSoapMessage } from '../src/mm7/soap-reader';
import { childText } from '../src/xml/xml';
import { Simulator, json, startSimulator } from './simulator-app';
import { HttpRequestFixture, PNG_1X1, REL5, REL6, buildSubmitRequest, envelopeWith, exampleSubmitRequest, peerSubmitRequest } from './mm7-requests';

/**
 * The simulator in-process on a real port, spoken to over real HTTP as a VASP would, with a small
 * HTTP server standing in for the gateway's delivery-report endpoint.
 */

interface ReceivedReport {
  readonly authorization: string | undefined;
  readonly contentType: string | undefined;
  readonly soapAction: string | undefined;
  readonly xml: string;
}

/** The VASP's delivery-report endpoint: records each DeliveryReportReq, answers DeliveryReportRsp 1000. */
class ReportReceiver {
  readonly reports: ReceivedReport[] = [];
  /** Answer this many of the next reports with HTTP 503 instead of DeliveryReportRsp 1000. */
  failNext = 0;
  private waiters: Array<() => void> = [];
  private readonly server: Server = createServer((req, res) => void this.receive(req, res));

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/mm7/delivery-reports`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** The report about this MessageID, once it has arrived. */
  async waitForMessage(messageId: string | null, timeoutMs = 5000): Promise<ReceivedReport> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const report = this.reports.find((r) => r.xml.includes(`<MessageID>${messageId}</MessageID>`));
      if (report !== undefined) return report;
      if (Date.now() > deadline) throw new Error(`no delivery report about ${messageId} arrived`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  private async receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const xml = Buffer.concat(chunks).toString('utf8');
    this.reports.push({
      authorization: req.headers.authorization,
      contentType: req.headers['content-type'],
      soapAction: req.headers['soapaction'] as string | undefined,
      xml,
    });
    const transactionId = readSoapMessage(xml).transactionId ?? '';
    if (this.failNext > 0) {
      this.failNext -= 1;
      res.writeHead(503).end('busy');
      this.wakeWaiters();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
    res.end(
      `<?xml version="1.0"?><env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"><env:Header><mm7:TransactionID xmlns:mm7="${REL6}" env:mustUnderstand="1">${transactionId}</mm7:TransactionID></env:Header>` +
        `<env:Body><DeliveryReportRsp xmlns="${REL6}"><MM7Version>6.8.0</MM7Version><Status><StatusCode>1000</StatusCode><StatusText>Success</StatusText></Status></DeliveryReportRsp></env:Body></env:Envelope>`,
    );
    this.wakeWaiters();
  }

  private wakeWaiters(): void {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((wake) => wake());
  }
}

interface Mm7Result {
  readonly httpStatus: number;
  readonly xml: string;
  readonly code: number | null;
  readonly details: string | null;
  readonly messageId: string | null;
  readonly transactionId: string | null;
  readonly operation: string | null;
}

async function submit(base: string, request: HttpRequestFixture, init: { headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<Mm7Result> {
  const response = await fetch(`${base}/mm7`, {
    method: 'POST',
    headers: { 'content-type': request.contentType, soapaction: request.soapAction ?? '""', ...init.headers },
    body: request.body,
    signal: init.signal,
  });
  const xml = await response.text();
  const message = readSoapMessage(xml);
  const status = readResponseStatus(message);
  return {
    httpStatus: response.status,
    xml,
    code: status?.code ?? null,
    details: status?.details ?? null,
    messageId: message.operation === null ? null : (childText(message.operation, 'MessageID') ?? null),
    transactionId: message.transactionId,
    operation: message.operation?.localName ?? null,
  };
}

interface ApiMessage {
  id: string;
  transactionId: string | null;
  messageId: string | null;
  receivedAt: string;
  from: string | null;
  to: string;
  subject: string | null;
  status: string;
  statusCode: number;
  repeat: boolean;
  repeatOf: string | null;
  injected: string | null;
  details: string | null;
  parts: Array<{ index: number; contentType: string; contentId: string | null; size: number }>;
  deliveryReports: Array<{ state: string; mmStatus: string | null; statusCode: number | null; attempts: number; httpStatus: number | null }>;
}

interface Stats {
  submissions: number;
  accepted: number;
  rejected: number;
  repeats: number;
  unauthorized: number;
  failuresInjected: { total: number; status: number; percent: number; timeout: number; drop: number };
  deliveryReports: { delivered: number; failed: number };
}

describe('MMSC simulator over real HTTP', () => {
  const receiver = new ReportReceiver();
  let simulator: Simulator;
  let base: string;
  const configure = (settings: Record<string, unknown>) =>
    json(`${base}/api/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(settings) });
  const messages = () => json<ApiMessage[]>(`${base}/api/messages`);
  const stats = () => json<Stats>(`${base}/api/stats`);

  beforeAll(async () => {
    const dlrUrl = await receiver.start();
    simulator = await startSimulator({
      MMSC_SIM_DLR_URL: dlrUrl,
      MMSC_SIM_DLR_DELAY_MS: '50',
      MMSC_SIM_DLR_USERNAME: 'mmsc',
      MMSC_SIM_DLR_PASSWORD: 'dev-mmsc-password',
    });
    base = simulator.base;
  });

  afterAll(async () => {
    await simulator?.app.close();
    await receiver.stop();
  });

  beforeEach(async () => {
    await json(`${base}/api/config`, { method: 'DELETE' });
    await json(`${base}/api/messages`, { method: 'DELETE' });
    receiver.reports.length = 0;
    receiver.failNext = 0;
  });

  /** Polls the message's first delivery report until it reaches a final state. */
  async function finalReportState(transactionId: string): Promise<ApiMessage['deliveryReports'][number]> {
    for (let i = 0; i < 100; i += 1) {
      const report = (await messages()).find((m) => m.transactionId === transactionId)?.deliveryReports[0];
      if (report !== undefined && (report.state === 'delivered' || report.state === 'failed')) return report;
      await new Promise((r) => setTimeout(r, 30));
    }
    throw new Error('the delivery report never reached a final state');
  }

  it('accepts the example SubmitReq: 1000, a MessageID, the TransactionID echoed', async () => {
    const result = await submit(base, exampleSubmitRequest());
    expect(result.httpStatus).toBe(200);
    expect(result.operation).toBe('SubmitRsp');
    expect(result.code).toBe(1000);
    expect(result.messageId).toMatch(/^\d{18}$/);
    expect(result.transactionId).toBe('TX-20240501-000123');
    expect(readSoapMessage(result.xml).mm7Namespace).toBe(REL6);
    expect(result.xml).toContain('<MM7Version>6.8.0</MM7Version>');
  });

  it('lists the message newest first with its parts, and serves each part with its content type', async () => {
    const { messageId } = await submit(base, exampleSubmitRequest());
    await submit(base, buildSubmitRequest({ envelope: envelopeWith('TX-20240501-000123', 'TX-second') }));
    const list = await messages();
    expect(list.map((m) => m.transactionId)).toEqual(['TX-second', 'TX-20240501-000123']);
    const message = list[1] as ApiMessage;
    expect(message).toMatchObject({
      transactionId: 'TX-20240501-000123',
      messageId,
      from: '60856',
      to: '16501234123',
      subject: 'Your Event Ticket',
      status: 'accepted',
      parts: [
        { index: 0, contentType: 'application/smil; charset=utf-8', contentId: 'slide.smil', size: 419 },
        { index: 1, contentType: 'image/png', contentId: 'barcode.png', size: PNG_1X1.length },
        { index: 2, contentType: 'text/plain; charset=utf-8', contentId: 'ticket.txt', size: 55 },
      ],
    });
    expect(Number.isNaN(Date.parse(message.receivedAt))).toBe(false);

    const image = await fetch(`${base}/api/messages/${message.id}/parts/1`);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await image.arrayBuffer()).equals(PNG_1X1)).toBe(true);
    const text = await fetch(`${base}/api/messages/${message.id}/parts/2`);
    expect(text.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await text.text()).toBe('Hyes Convention - Gate B - show this code. Ticket_12345');
    expect((await fetch(`${base}/api/messages/${message.id}/parts/3`)).status).toBe(404);
    expect((await fetch(`${base}/api/messages/nope/parts/0`)).status).toBe(404);
  });

  it('posts a DeliveryReportReq to the VASP: MMStatus, MessageID, recipient, sender, handset, basic auth', async () => {
    const { messageId } = await submit(base, exampleSubmitRequest());
    const report = await receiver.waitForMessage(messageId);
    expect(receiver.reports).toHaveLength(1);
    expect(report?.authorization).toBe(`Basic ${Buffer.from('mmsc:dev-mmsc-password').toString('base64')}`);
    expect(report?.contentType).toMatch(/^text\/xml/);
    expect(report?.soapAction).toBe('""');
    const dlr = readSoapMessage(report?.xml as string);
    const body = dlr.operation as NonNullable<typeof dlr.operation>;
    expect(body.localName).toBe('DeliveryReportReq');
    expect(dlr.mm7Namespace).toBe(REL6);
    expect(dlr.transactionId).toMatch(/\S/);
    expect(childText(body, 'MMStatus')).toBe('Retrieved');
    expect(childText(body, 'MessageID')).toBe(messageId);
    expect(childText(body, 'MM7Version')).toBe('6.8.0');
    expect(report?.xml).toContain('<Recipient><Number>16501234123</Number></Recipient>');
    expect(report?.xml).toContain('<Sender><ShortCode>60856</ShortCode></Sender>');
    expect(childText(body, 'Date')).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(body.children.find((c) => c.localName === 'UACapabilities')?.attributes.find((a) => a.localName === 'UAProf')?.value).toBe('iPhoneOS');

    // The VASP's DeliveryReportRsp (1000) is recorded against the message.
    expect(await finalReportState('TX-20240501-000123')).toMatchObject({ state: 'delivered', mmStatus: 'Retrieved', statusCode: 1000 });
    expect((await stats()).deliveryReports.delivered).toBe(1);
  });

  it('tries a report again when the VASP does not answer 1000, and gives up after the attempts', async () => {
    receiver.failNext = 1;
    const first = await submit(base, exampleSubmitRequest());
    expect(await finalReportState('TX-20240501-000123')).toMatchObject({ state: 'delivered', attempts: 2 });
    expect(receiver.reports.filter((r) => r.xml.includes(`<MessageID>${first.messageId}</MessageID>`))).toHaveLength(2);

    receiver.failNext = 3;
    await submit(base, buildSubmitRequest({ envelope: envelopeWith('TX-20240501-000123', 'TX-dlr-fails') }));
    expect(await finalReportState('TX-dlr-fails')).toMatchObject({ state: 'failed', attempts: 3, httpStatus: 503 });
    expect((await stats()).deliveryReports).toEqual({ delivered: 1, failed: 1 });
  });

  it('reports the configured MMStatus, and none when the SubmitReq did not ask for one', async () => {
    await configure({ dlrStatus: 'Expired' });
    const { messageId } = await submit(base, exampleSubmitRequest());
    const report = await receiver.waitForMessage(messageId);
    expect(childText(readSoapMessage(report?.xml as string).operation as never, 'MMStatus')).toBe('Expired');

    const unrequested = envelopeWith('<DeliveryReport>true</DeliveryReport>', '<DeliveryReport>false</DeliveryReport>').replace('TX-20240501-000123', 'TX-no-dlr');
    const second = await submit(base, buildSubmitRequest({ envelope: unrequested }));
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.reports.filter((r) => r.xml.includes(`<MessageID>${second.messageId}</MessageID>`))).toEqual([]);
    expect((await messages())[0]?.deliveryReports[0]?.state).toBe('not-requested');
  });

  it('flags a SubmitReq whose TransactionID was already accepted as a repeat, and counts it', async () => {
    const first = await submit(base, exampleSubmitRequest());
    const second = await submit(base, exampleSubmitRequest());
    expect(second.code).toBe(1000);
    expect(second.messageId).not.toBe(first.messageId);
    const [newest, oldest] = await messages();
    expect(oldest?.repeat).toBe(false);
    expect(newest).toMatchObject({ repeat: true, repeatOf: oldest?.id });
    expect(await stats()).toMatchObject({ submissions: 2, accepted: 2, repeats: 1 });
  });

  it("accepts the peer's REL-5 SubmitReq and answers in its namespace and version", async () => {
    const result = await submit(base, peerSubmitRequest());
    expect(result.code).toBe(1000);
    expect(result.transactionId).toBe('txn-fixture');
    expect(readSoapMessage(result.xml).mm7Namespace).toBe(REL5);
    expect(result.xml).toContain('<MM7Version>5.3.0</MM7Version>');
    expect((await messages())[0]).toMatchObject({ to: '+12025550101', subject: 'Hello', parts: [{ contentType: 'text/plain', contentId: 'message-content' }] });
  });

  it('refuses an invalid SubmitReq with a SubmitRsp saying what is wrong, and keeps it as rejected', async () => {
    const broken = buildSubmitRequest({ envelope: envelopeWith('<MessageClass>Informational</MessageClass>', '<MessageClass>Spam</MessageClass>') });
    const result = await submit(base, broken);
    expect(result).toMatchObject({ httpStatus: 200, operation: 'SubmitRsp', code: 4004, messageId: null, transactionId: 'TX-20240501-000123' });
    expect(result.details).toContain('SubmitReq/MessageClass: "Spam" is not one of Personal, Informational, Advertisement, Auto');
    expect((await messages())[0]).toMatchObject({ status: 'rejected', statusCode: 4004, messageId: null });
    expect(await stats()).toMatchObject({ rejected: 1, accepted: 0 });
    expect(receiver.reports).toHaveLength(0);
  });

  it('answers a corrupt request and an unsupported operation with a SOAP Fault (HTTP 500, RSErrorRsp)', async () => {
    const corrupt = await submit(base, { contentType: 'multipart/related; boundary=x', soapAction: '""', body: Buffer.from('--x\r\n\r\nno end') });
    expect(corrupt).toMatchObject({ httpStatus: 500, operation: 'Fault', code: 2007 });
    expect(corrupt.xml).toContain('<faultcode>env:Client</faultcode>');
    const cancel = await submit(base, buildSubmitRequest({ envelope: envelopeWith(/SubmitReq/g, 'CancelReq') }));
    expect(cancel).toMatchObject({ httpStatus: 500, operation: 'Fault', code: 4003, transactionId: 'TX-20240501-000123' });
  });

  it('injects a fixed status for every submit, as a SubmitRsp or as a Fault', async () => {
    await configure({ statusCode: 3000 });
    const result = await submit(base, exampleSubmitRequest());
    expect(result).toMatchObject({ httpStatus: 200, operation: 'SubmitRsp', code: 3000, messageId: null });
    expect(result.details).toMatch(/injected/);
    await configure({ statusCode: 4006, errorStyle: 'fault' });
    const fault = await submit(base, exampleSubmitRequest());
    expect(fault).toMatchObject({ httpStatus: 500, operation: 'Fault', code: 4006 });
    expect(fault.xml).toContain('<faultcode>env:Server</faultcode>');
    expect((await messages()).map((m) => [m.status, m.statusCode, m.injected])).toEqual([
      ['rejected', 4006, 'status'],
      ['rejected', 3000, 'status'],
    ]);
    expect((await stats()).failuresInjected).toMatchObject({ total: 2, status: 2 });
    await new Promise((r) => setTimeout(r, 150));
    expect(receiver.reports).toHaveLength(0);
  });

  it('injects a failure percentage with its own status', async () => {
    await configure({ failurePercent: 100, failureStatusCode: 2004 });
    expect((await submit(base, exampleSubmitRequest())).code).toBe(2004);
    await configure({ failurePercent: 0 });
    expect((await submit(base, exampleSubmitRequest())).code).toBe(1000);
    expect((await stats()).failuresInjected).toMatchObject({ total: 1, percent: 1 });
  });

  it('adds latency before answering', async () => {
    await configure({ latencyMs: 300 });
    const started = Date.now();
    expect((await submit(base, exampleSubmitRequest())).code).toBe(1000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('times out: the message is taken but the answer comes too late for the client', async () => {
    await configure({ timeoutMs: 2000 });
    const started = Date.now();
    await expect(submit(base, exampleSubmitRequest(), { signal: AbortSignal.timeout(300) })).rejects.toThrow(/aborted|timeout/i);
    expect(Date.now() - started).toBeLessThan(1500);
    const [message] = await messages();
    expect(message).toMatchObject({ status: 'accepted', injected: 'timeout' });
    expect((await stats()).failuresInjected).toMatchObject({ timeout: 1 });
    // The VASP, not knowing, sends it again: the simulator sees the repeat.
    await configure({ timeoutMs: 0 });
    expect((await submit(base, exampleSubmitRequest())).code).toBe(1000);
    expect((await messages())[0]).toMatchObject({ repeat: true, repeatOf: message?.id });
  });

  it('drops the connection without an answer', async () => {
    await configure({ dropPercent: 100 });
    await expect(submit(base, exampleSubmitRequest())).rejects.toThrow(/fetch failed|socket|closed/i);
    expect(await messages()).toEqual([]);
    expect((await stats()).failuresInjected).toMatchObject({ drop: 1, total: 1 });
    await configure({ dropPercent: 0 });
    expect((await submit(base, exampleSubmitRequest())).code).toBe(1000);
  });

  it('refuses bad settings and resets them', async () => {
    const bad = await fetch(`${base}/api/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ statusCode: 42, nope: 1 }) });
    expect(bad.status).toBe(400);
    await configure({ latencyMs: 5 });
    expect(await json(`${base}/api/config`, { method: 'DELETE' })).toMatchObject({ latencyMs: 0, statusCode: null });
  });

  it('renders the inbox: subject, sender, the slide with its image URL and text', async () => {
    await submit(base, exampleSubmitRequest());
    const [message] = await messages();
    const page = await fetch(`${base}/`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('Your Event Ticket');
    expect(html).toContain('60856');
    expect(html).toContain(`src="/api/messages/${message?.id}/parts/1"`);
    expect(html).toContain('Hyes Convention - Gate B - show this code. Ticket_12345');
    expect(html).toMatch(/<meta http-equiv="refresh" content="\d+">/);
  });

  it('DELETE /api/messages clears the inbox and the counters', async () => {
    await submit(base, exampleSubmitRequest());
    expect(await json(`${base}/api/messages`, { method: 'DELETE' })).toEqual({ cleared: 1 });
    expect(await messages()).toEqual([]);
    expect(await stats()).toMatchObject({ submissions: 0, accepted: 0, repeats: 0 });
  });
});

describe('MMSC simulator with basic auth', () => {
  let simulator: Simulator;

  beforeAll(async () => {
    simulator = await startSimulator({ MMSC_SIM_USERNAME: 'partner-vasp', MMSC_SIM_PASSWORD: 'secret', MMSC_SIM_VASP_ID: 'partner-vasp' });
  });

  afterAll(async () => {
    await simulator?.app.close();
  });

  it('answers HTTP 401 with 4001 Improper identification without the right credentials', async () => {
    const attempts: Array<Record<string, string>> = [{}, { authorization: `Basic ${Buffer.from('partner-vasp:wrong').toString('base64')}` }];
    for (const headers of attempts) {
      const result = await submit(simulator.base, exampleSubmitRequest(), { headers });
      expect(result).toMatchObject({ httpStatus: 401, operation: 'Fault', code: 4001 });
    }
    const stats = await json<Stats>(`${simulator.base}/api/stats`);
    expect(stats).toMatchObject({ submissions: 2, unauthorized: 2, accepted: 0 });
  });

  it("accepts the example with its own Authorization header (partner-vasp:secret) and VASPID", async () => {
    const authorization = `Basic ${Buffer.from('partner-vasp:secret').toString('base64')}`;
    expect((await submit(simulator.base, exampleSubmitRequest(), { headers: { authorization } })).code).toBe(1000);
    const otherVasp = buildSubmitRequest({ envelope: envelopeWith('<VASPID>partner-vasp</VASPID>', '<VASPID>someone-else</VASPID>') });
    const refused = await submit(simulator.base, otherVasp, { headers: { authorization } });
    expect(refused).toMatchObject({ code: 4001, operation: 'SubmitRsp' });
    expect(refused.details).toMatch(/VASPID "someone-else"/);
  });
});
