import { PrismaService } from '@mms/db';
import { suitePrefix } from '../../../test/fixtures';
import { GatewayHarness, startGateway } from './gateway-harness';
import { type ReportHit, basicAuthorization, expectFault as expectFaultWithin, postReport, report } from './hostile-kit';

const USER = 'mmsc';
const PASSWORD = 'hostile-suite-inbound-secret';
/** Large enough for a million empty elements to reach the parser's guard; past it, 413. */
const BODY_LIMIT = 8 * 1024 * 1024;
const ANSWER_WITHIN_MS = 2000;

const authorization = basicAuthorization(USER, PASSWORD);

/**
 * Hostile delivery reports at the gateway's /mm7/delivery-reports, over real HTTP: whatever an
 * MMSC (or whoever holds its credentials) sends, the answer is an MM7 SOAP Fault, never an HTML or
 * JSON error page and never a crash, within bounded time, and nothing is stored.
 */
describe('gateway: hostile delivery reports are answered with a SOAP Fault', () => {
  const prefix = suitePrefix('dr-hostile');
  let gateway: GatewayHarness;
  let reportsUrl: string;

  beforeAll(async () => {
    gateway = await startGateway({
      QUEUE_PREFIX: prefix,
      MM7_INBOUND_USERNAME: USER,
      MM7_INBOUND_PASSWORD: PASSWORD,
      REQUEST_BODY_LIMIT_BYTES: String(BODY_LIMIT),
      HTTP_REQUEST_TIMEOUT_MS: '20000',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '4000',
      HTTP_CONNECTION_TIMEOUT_MS: '25000',
      RECONCILE_INTERVAL_MS: '3600000',
      LOG_LEVEL: 'fatal',
    });
    reportsUrl = `${new URL(gateway.url).origin}/mm7/delivery-reports`;
  });

  afterAll(async () => {
    await gateway?.close();
  });

  const shoot = (body: string | Uint8Array, headers: Record<string, string> = {}) =>
    postReport(reportsUrl, body, { 'content-type': 'text/xml; charset=utf-8', authorization, ...headers });

  /** The invariants of every refusal (hostile-kit's expectFault); returns the MM7 status code and faultcode. */
  const expectFault = (hit: ReportHit, httpStatus = 400) => expectFaultWithin(hit, httpStatus, ANSWER_WITHIN_MS);

  const cases: Array<[string, () => string]> = [
    ['nested 100,000 levels deep', () => report(`${'<x>'.repeat(100_000)}${'</x>'.repeat(100_000)}`)],
    ['a million elements', () => report('<x/>'.repeat(1_000_000))],
    [
      'a billion laughs',
      () =>
        `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol9 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>` +
        report('<StatusText>&lol9;</StatusText>').replace(/^<\?xml[^>]*>/, ''),
    ],
    ['an external entity', () => `<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${report('<StatusText>&xxe;</StatusText>')}`],
    ['XML cut short', () => report().slice(0, 200)],
    ['not XML', () => 'hello, MMSC here'],
    ['an empty body', () => ''],
    ['a megabyte of unclosed tags', () => '<a'.repeat(500_000)],
    ['an element named __proto__', () => report('<__proto__><polluted>1</polluted></__proto__>')],
    ['a megabyte attribute', () => report(`<UACapabilities UAProf="${'A'.repeat(1024 * 1024)}"/>`).replace('<MMStatus>Retrieved</MMStatus>', '')],
    ['a SOAP body without a DeliveryReportReq', () => report().replace(/DeliveryReportReq/g, 'SubmitReq')],
  ];

  it.each(cases)('answers %s with a Fault (4004) and stores nothing', async (_case, body) => {
    const hit = await shoot(body());
    expect(expectFault(hit)).toMatchObject({ code: '4004', faultcode: 'env:Client' });
  });

  it('refuses a body over the limit with a Fault and 413, not an error page', async () => {
    const hit = await shoot(report('<x/>'.repeat(BODY_LIMIT / 4)));
    expect(expectFault(hit, 413)).toMatchObject({ code: '4004', faultcode: 'env:Client' });
  });

  it.each([
    ['a multipart body with a broken boundary', '--b1\r\nContent-Type: text/xml\r\n\r\n<a>', 'multipart/related; boundary="b1"'],
    ['a multipart body of many parts, none XML', `${'--b1\r\nContent-Type: text/plain\r\n\r\nx\r\n'.repeat(10_000)}--b1--\r\n`, 'multipart/related; boundary="b1"'],
    ['a multipart body whose XML part is hostile', `--b1\r\nContent-Type: text/xml\r\n\r\n${'<x>'.repeat(50_000)}\r\n--b1--\r\n`, 'multipart/related; boundary="b1"'],
  ])('answers %s with a Fault', async (_case, body, contentType) => {
    expect(expectFault(await shoot(body, { 'content-type': contentType })).code).toBe('4004');
  });

  it('answers a hostile document without credentials 401 with a Fault (4001), reading nothing', async () => {
    const hit = await fetch(reportsUrl, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: report('<x/>'.repeat(100_000)) });
    expect(hit.status).toBe(401);
    expect(await hit.text()).toContain('<StatusCode>4001</StatusCode>');
  });

  it('answers an unexpected failure on our side with a server Fault (3000, env:Server) the MMSC can retry, never a bare 500', async () => {
    const prisma = gateway.app.get(PrismaService);
    const failing = jest.spyOn(prisma, '$transaction').mockRejectedValueOnce(new Error('the database went away'));
    try {
      const hit = await shoot(report());
      expect(expectFault(hit, 500)).toEqual({ code: '3000', faultcode: 'env:Server', reason: 'Server error: the report was not taken, send it again later' });
      expect(hit.xml).not.toContain('database');
    } finally {
      failing.mockRestore();
    }
    // And the next report is taken as usual.
    const ok = await shoot(report('', `fine-${Date.now()}`));
    expect(ok.status).toBe(200);
    expect(ok.xml).toContain('<DeliveryReportRsp');
  });

  it('stored none of the hostile reports', async () => {
    expect(await gateway.app.get(PrismaService).deliveryReport.count({ where: { mmscMessageId: { startsWith: 'hostile-' } } })).toBe(0);
  });

  it("runs the partner port's HTTP server with the configured timeouts", () => {
    const server = gateway.app.getHttpServer() as { requestTimeout: number; keepAliveTimeout: number; timeout: number };
    expect({ request: server.requestTimeout, keepAlive: server.keepAliveTimeout, idle: server.timeout }).toEqual({ request: 20_000, keepAlive: 4000, idle: 25_000 });
  });
});
