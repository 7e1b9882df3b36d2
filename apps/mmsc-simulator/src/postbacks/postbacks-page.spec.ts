import { EXAMPLE_NOTICE } from '../../test/postback-requests';
import { esc } from '../common/html-page';
import type { StoredMessage } from '../store/stored-message';
import type { PostbackNotice } from './postback-document';
import type { StoredPostback } from './postback-store';
import { inboxLinks, renderPostbacks } from './postbacks-page';

const hostile = '<script>alert("x")</script>';

const delivered = EXAMPLE_NOTICE;

function record(overrides: Partial<StoredPostback>): StoredPostback {
  return {
    id: 1,
    receivedAt: new Date('2024-05-01T14:03:51Z'),
    form: 'raw',
    contentType: 'text/xml; charset=utf-8',
    userAgent: null,
    idempotencyKey: 'pb-1',
    timestampHeader: null,
    signatureHeader: null,
    signature: 'valid',
    repeat: false,
    repeatOf: null,
    answeredStatus: 200,
    document: '<POSTBACK/>',
    bundled: false,
    notices: [delivered],
    warnings: [],
    ...overrides,
  };
}

function render(records: StoredPostback[], links: Map<string, string> = new Map()): string {
  return renderPostbacks({ records, total: records.length, inboxLinks: links, statusCode: 200, signaturesChecked: true, refreshSeconds: 5 });
}

function articles(html: string): string[] {
  return html.match(/<article [^>]*>/g) ?? [];
}

describe('renderPostbacks', () => {
  it('escapes every value that came from a request, the raw document included', () => {
    const failed: PostbackNotice = { ...delivered, code: 'E101', status: `Message Failed${hostile}`, statusDetails: hostile, handset: hostile, trackingId: `"><img src=x onerror=alert(1)>` };
    const html = render([record({ idempotencyKey: hostile, document: `<POSTBACK>${hostile}</POSTBACK>`, warnings: [hostile], form: 'xml field', notices: [failed] })]);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain(`<dd class="status-details">${esc(hostile)}</dd>`);
    expect(html).toContain(`<pre>${esc(`<POSTBACK>${hostile}</POSTBACK>`)}</pre>`);
    expect(html).toContain(`data-tracking-id="${esc('"><img src=x onerror=alert(1)>')}"`);
  });

  it('shows one article per notice with the request around it: code, status, key, signature, TO as sent', () => {
    const html = render([record({})]);
    expect(articles(html)).toEqual(['<article class="postback n102" data-code="N102" data-tracking-id="TU1TXzEyMzQ2" data-record="1" data-signature="valid" data-answered-status="200">']);
    expect(html).toContain('<span class="code">N102</span> <span class="status">Message Sent/Delivered</span>');
    expect(html).toContain('<dd class="to">16501234123</dd>');
    expect(html).toContain('<dd class="handset">motol7c</dd>');
    expect(html).toContain('<dd class="spid">0001890</dd>');
    expect(html).not.toContain('class="status-details"');
    expect(html).toContain('<code class="idempotency-key">pb-1</code>');
    expect(html).toContain('<span class="form">raw</span>');
    expect(html).toContain('<span class="badge signature valid">signature valid</span>');
    expect(html).toContain('<time class="received" datetime="2024-05-01T14:03:51.000Z">2024-05-01 14:03:51 UTC</time>');
    expect(html).toContain('<details class="document"><summary>');
    expect(html).not.toContain('class="badge answered"');
    expect(html).toContain('<meta http-equiv="refresh" content="5">');
  });

  it('marks each notice of a bundle with the request id, repeats, and a status other than 200', () => {
    const sent: PostbackNotice = { ...delivered, code: 'N101', status: 'Message Sent', handset: null };
    const html = render([record({ id: 7, bundled: true, notices: [sent, delivered], repeat: true, repeatOf: 3, answeredStatus: 503, signature: 'invalid' })]);
    expect(articles(html)).toEqual([
      '<article class="postback n101" data-code="N101" data-tracking-id="TU1TXzEyMzQ2" data-record="7" data-bundle="7" data-signature="invalid" data-answered-status="503" data-repeat="true">',
      '<article class="postback n102" data-code="N102" data-tracking-id="TU1TXzEyMzQ2" data-record="7" data-bundle="7" data-signature="invalid" data-answered-status="503" data-repeat="true">',
    ]);
    expect(html).toContain('notice 2/2 of a bundle');
    expect(html).toContain('>repeat of #3</span>');
    expect(html).toContain('<span class="badge answered">answered 503</span>');
    expect(html).toContain('signature INVALID');
  });

  it('links a TRACKINGID to the inbox message with that TransactionID, and shows it plain when there is none', () => {
    const other: PostbackNotice = { ...delivered, trackingId: 'TU1TXzk5' };
    const html = render([record({ notices: [delivered, other], bundled: true })], new Map([['TU1TXzEyMzQ2', '12']]));
    expect(html).toContain('<a class="tracking-id" href="/#message-12">TU1TXzEyMzQ2</a>');
    expect(html).toMatch(/<span class="tracking-id" title="[^"]*">TU1TXzk5<\/span>/);
  });

  it('links the inbox and says what it answers; an empty list says where to post', () => {
    const html = renderPostbacks({ records: [], total: 0, inboxLinks: new Map(), statusCode: 500, signaturesChecked: false, refreshSeconds: 0 });
    expect(html).toContain('<nav class="nav"><a href="/">inbox</a><a href="/postbacks" class="current" aria-current="page">postbacks</a></nav>');
    expect(html).toContain('<strong>answering HTTP 500</strong>');
    expect(html).toContain('MMSC_SIM_POSTBACK_SECRET unset');
    expect(html).toContain('<p class="empty">');
    expect(html).not.toContain('http-equiv="refresh"');
  });
});

describe('inboxLinks', () => {
  const message = (id: string, transactionId: string | null, status: 'accepted' | 'rejected') => ({ id, transactionId, status }) as StoredMessage;

  it('maps each TransactionID to its newest accepted message, else its newest refused one', () => {
    const newestFirst = [
      message('5', 'TX-a', 'rejected'),
      message('4', 'TX-a', 'accepted'),
      message('3', 'TX-a', 'accepted'),
      message('2', 'TX-b', 'rejected'),
      message('1', 'TX-b', 'rejected'),
      message('0', null, 'accepted'),
    ];
    expect(inboxLinks(newestFirst)).toEqual(
      new Map([
        ['TX-a', '4'],
        ['TX-b', '2'],
      ]),
    );
  });
});
