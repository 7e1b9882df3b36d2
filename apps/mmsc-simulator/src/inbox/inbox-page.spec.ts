import { StoredMessage } from '../store/stored-message';
import { settingsFromConfig } from '../settings/simulator-settings';
import { loadSimulatorConfig } from '../config/simulator.config';
import { esc } from '../common/html-page';
import { renderInbox } from './inbox-page';

const hostile = '<script>alert("x")</script>';

const message = {
  id: '7',
  receivedAt: new Date('2024-05-01T14:03:51Z'),
  transactionId: `tx${hostile}`,
  messageId: '369500617770864640',
  status: 'accepted',
  statusCode: 1000,
  statusText: 'Success',
  details: null,
  injected: null,
  repeat: true,
  repeatOf: '3',
  mm7Version: '6.8.0',
  dialect: 'default-namespace',
  sender: { kind: 'ShortCode', value: '60856' },
  recipients: [{ field: 'To', kind: 'Number', value: '16501234123' }],
  subject: `Ticket ${hostile}`,
  parts: [
    { index: 0, contentType: 'image/png', essence: 'image/png', charset: null, contentId: 'barcode.png', contentLocation: `barcode.png"${hostile}`, body: Buffer.alloc(10) },
    { index: 1, contentType: 'text/plain; charset=utf-8', essence: 'text/plain', charset: 'utf-8', contentId: 't', contentLocation: null, body: Buffer.from(`Gate B ${hostile}`) },
  ],
  presentation: {
    smilPartIndex: null,
    slides: [{ duration: '10s', items: [{ kind: 'image', partIndex: 0, src: 'cid:barcode.png' }, { kind: 'text', partIndex: 1, src: 'cid:t' }] }],
    unreferenced: [],
    warnings: [],
  },
  soapXml: '<x/>',
  warnings: [`warned ${hostile}`],
  deliveryReports: [],
} as unknown as StoredMessage;

describe('renderInbox', () => {
  const html = renderInbox({
    messages: [message],
    total: 1,
    stats: { submissions: 2, accepted: 2, rejected: 0, repeats: 1, failuresInjected: { total: 0 } },
    settings: settingsFromConfig(loadSimulatorConfig({})),
    refreshSeconds: 5,
  });

  it('escapes every value that came from a request', () => {
    expect(html).not.toContain('<script>');
    expect(html).toContain(`Ticket ${esc(hostile)}`);
    expect(html).toContain(`Gate B ${esc(hostile)}`);
    expect(html).toContain(`warned ${esc(hostile)}`);
  });

  it('shows the slide: the image from the parts URL, then the text, and the repeat flag', () => {
    expect(html).toContain('<img class="media" src="/api/messages/7/parts/0"');
    expect(html.indexOf('/api/messages/7/parts/0')).toBeLessThan(html.indexOf('Gate B'));
    expect(html).toContain('slide 1/1 · 10s');
    expect(html).toContain('>repeat<');
    expect(html).toContain('<meta http-equiv="refresh" content="5">');
  });

  it('gives each message the anchor the postbacks page links to, and links that page', () => {
    expect(html).toContain('<article class="phone accepted" id="message-7">');
    expect(html).toContain('<nav class="nav"><a href="/" class="current" aria-current="page">inbox</a><a href="/postbacks">postbacks</a></nav>');
  });
});
