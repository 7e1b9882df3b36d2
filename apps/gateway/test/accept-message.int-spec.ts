import { Queue } from 'bullmq';
import { JobName, QueueName } from '@mms/contracts';
import { createPrismaClient, type PrismaClient } from '@mms/db';
import { redisOptionsFrom } from '@mms/queue';
import { DOCS_EXAMPLE_REQUEST, responseField } from '../../../test/docs-examples';
import { eventually, suitePrefix, uniquePhone } from '../../../test/fixtures';
import { GatewayHarness, startGateway } from './gateway-harness';

const DEMO_KEY = 'qTFkykO9JTfahCOqJ0V2Wf5Cg1t8iWlZ';

/** A request of the demo account's, with fields replaced or removed (undefined). */
function request(fields: Record<string, string | undefined> = {}): string {
  const base: Record<string, string | undefined> = {
    ACTION: 'sendMMSBarcode',
    API_KEY: DEMO_KEY,
    TO: '16501234123',
    FROM: '60856',
    DATABASEID: '17856',
    BARCODEID: 'Ticket_12345',
    CAMPAIGNREF: '12333',
    MMSID: '35674',
    ...fields,
  };
  const body = Object.entries(base)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `  <${name}>${value}</${name}>`)
    .join('\n');
  return `<REQUEST>\n${body}\n</REQUEST>`;
}

describe('gateway: accepting sendMMSBarcode (real PostgreSQL, Redis and HTTP)', () => {
  const prefix = suitePrefix('gateway-accept');
  let gateway: GatewayHarness;
  let prisma: PrismaClient;
  let barcodeQueue: Queue;

  beforeAll(async () => {
    gateway = await startGateway({ QUEUE_PREFIX: prefix, REQUEST_BODY_LIMIT_BYTES: '4096' });
    prisma = createPrismaClient(process.env.DATABASE_URL as string, 2);
    barcodeQueue = new Queue(QueueName.Barcode, {
      prefix,
      connection: redisOptionsFrom(process.env.REDIS_URL as string, 'producer'),
    });
  });

  afterAll(async () => {
    await gateway?.close();
    await barcodeQueue?.close();
    await prisma?.$disconnect();
  });

  const credits = async (name: string) => (await prisma.account.findUniqueOrThrow({ where: { name } })).credits;

  it('records the message, takes one credit and queues the render job under the tracking id', async () => {
    const before = await credits('demo');
    const { status, xml } = await gateway.post(DOCS_EXAMPLE_REQUEST, 'text/xml');
    expect(status).toBe(200);
    expect(responseField(xml, 'STATUS')).toBe('Success');
    const trackingId = responseField(xml, 'TRACKINGID') as string;

    const message = await prisma.message.findUniqueOrThrow({ where: { trackingId }, include: { events: true } });
    expect(message).toMatchObject({
      status: 'ACCEPTED',
      toNumber: '16501234123',
      senderCode: '60856',
      templateId: 35674,
      databaseId: 17856,
      barcodeValue: 'Ticket_12345',
      campaignId: 12333,
    });
    expect(message.events.map((e) => e.status)).toEqual(['ACCEPTED']);
    expect(await credits('demo')).toBe(before - 1);

    // The job reaches Redis right after the answer (the hand-off follows the commit), and its
    // outbox row is deleted once Redis took it.
    const job = await eventually(async () => barcodeQueue.getJob(trackingId), 5000, 'the render job');
    expect(job.name).toBe(JobName.RenderBarcode);
    expect(job.data).toEqual({ trackingId });
    await eventually(async () => ((await prisma.outboxEntry.count({ where: { jobId: trackingId } })) === 0 ? true : undefined), 5000, 'the outbox row deleted');
  });

  it('gives the same answer and the same stored request for all three request forms', async () => {
    const to = uniquePhone();
    const forms = {
      raw: () => gateway.post(request({ TO: to, CAMPAIGNREF: undefined }), 'application/xml'),
      form: () => gateway.post(new URLSearchParams({ XML: request({ TO: to, CAMPAIGNREF: undefined }) })),
      get: () =>
        gateway.get(
          new URLSearchParams({
            action: 'sendmmsbarcode',
            api_key: DEMO_KEY,
            to,
            from: '60856',
            databaseid: '17856',
            barcodeid: 'Ticket_12345',
            mmsid: '35674',
          }).toString(),
        ),
    };
    for (const [form, send] of Object.entries(forms)) {
      const { xml } = await send();
      expect({ form, status: responseField(xml, 'STATUS'), to: responseField(xml, 'TO') }).toEqual({ form, status: 'Success', to });
      const stored = await prisma.message.findUniqueOrThrow({ where: { trackingId: responseField(xml, 'TRACKINGID') } });
      expect({ form, value: stored.barcodeValue, template: stored.templateId }).toEqual({ form, value: 'Ticket_12345', template: 35674 });
    }
  });

  it('stores CUSTOMTEXT, CUSTOMSUBJECT, DATA, DEVICE and the DDM fields of the full example', async () => {
    const xml = request({
      CAMPAIGNREF: undefined,
      CUSTOMSUBJECT: 'Your Event Ticket',
      DEVICE: 'iPhoneOS',
      DDMTITLE: 'We are detecting your handset',
      DDMTIMEOUT: '10',
      CUSTOMTEXT: '<VALUE>Hyes Convention Event Ticket</VALUE><SLIDE>1</SLIDE>',
      DATA: '<FIRST_NAME>John</FIRST_NAME><LAST_NAME>Smith</LAST_NAME>',
    });
    const answer = await gateway.post(xml, 'text/xml');
    const stored = await prisma.message.findUniqueOrThrow({ where: { trackingId: responseField(answer.xml, 'TRACKINGID') } });
    expect(stored).toMatchObject({
      customSubject: 'Your Event Ticket',
      device: 'iPhoneOS',
      ddmTitle: 'We are detecting your handset',
      ddmTimeoutMinutes: 10,
      customTexts: [{ slide: '1', value: 'Hyes Convention Event Ticket' }],
      mergeData: { FIRST_NAME: 'John', LAST_NAME: 'Smith' },
    });
  });

  const many = Array.from({ length: 101 }, (_, i) => `1650555${String(i).padStart(4, '0')}`).join(',');
  it.each([
    ['a wrong API key', request({ API_KEY: 'wrong' }), 'E104', 'User Authentication FAILED'],
    ['no credentials', request({ API_KEY: undefined }), 'E102', "'user' or 'api_key' required"],
    ['an unknown action', request({ ACTION: 'sendSMS' }), 'E101', "'action' required/Invalid Action"],
    ['an API not activated', request({ API_KEY: 'apiNotActivatedTestKey0000000000' }), 'E109', 'API not activated'],
    ['an account without API rights', request({ API_KEY: 'noApiRightsTestKey00000000000000' }), 'E105', 'This account has no API rights'],
    ['an account without the action', request({ API_KEY: 'noActionRightTestKey000000000000' }), 'E107', 'This account has no rights to use this action'],
    ['a missing MMSID', request({ MMSID: undefined }), 'E620', "The 'mmsid' is required"],
    ['a missing TO', request({ TO: undefined }), 'E621', "The 'to' is required"],
    ['a missing DATABASEID', request({ DATABASEID: undefined }), 'E630', "The 'databaseid' is required"],
    ['a missing BARCODEID', request({ BARCODEID: undefined }), 'E631', "The 'barcodeid' is required"],
    ['a missing FROM', request({ FROM: undefined }), 'E111', 'Invalid shortcode'],
    ['a number with +', request({ TO: '+16501234123' }), 'E110', 'Invalid receiver number'],
    ['two numbers', request({ TO: '16501234123,16501234124' }), 'E110', 'Invalid receiver number'],
    ['101 numbers', request({ TO: many }), 'E623', "The 'to' field can contain up to 100 numbers"],
    ['a code not of this account', request({ FROM: '99999' }), 'E111', 'Invalid shortcode'],
    ['another account\'s template', request({ MMSID: '40001' }), 'E241', 'This content does not exist'],
    ['a template still encoding', request({ MMSID: '35676' }), 'E626', 'Content unavailable. Encoding in progress, try again later.'],
    ['a template without barcode', request({ MMSID: '35675' }), 'E633', 'This MMS does not contain barcode object'],
    ['another account\'s database', request({ DATABASEID: '50001' }), 'E632', "Invalid 'databaseid'"],
    ['an unknown campaign', request({ CAMPAIGNREF: '99999' }), 'E714', "Missing/Invalid 'campaignid'"],
    ['a number not subscribed', request({ TO: '16505550000' }), 'E715', 'Number is not subscribed to this campaign'],
    ['an account without credits', request({ API_KEY: 'zeroCreditsTestKey00000000000000', MMSID: '35684', DATABASEID: '17858', CAMPAIGNREF: undefined }), 'E713', 'There is billing problem on your account'],
  ])('answers %s with its code and ERRORINFO, echoing TO, and records nothing', async (_case, template, code, info) => {
    // A BARCODEID no other request uses: a stored message for it would mean the refusal leaked.
    const barcodeValue = `Refused_${code}_${Math.random().toString(36).slice(2)}`;
    const body = template.replace('Ticket_12345', barcodeValue);
    const { status, xml } = await gateway.post(body, 'text/xml');
    expect(status).toBe(200);
    expect(responseField(xml, 'STATUS')).toBe('Failure');
    expect(responseField(xml, 'ERRORCODE')).toBe(code);
    expect(responseField(xml, 'ERRORINFO')).toBe(info);
    expect(responseField(xml, 'TO')).toBe(/<TO>([^<]*)<\/TO>/.exec(body)?.[1]);
    expect(await prisma.message.count({ where: { barcodeValue } })).toBe(0);
  });

  it('accepts the legacy USER + md5(PASS) login only for the account that enables it', async () => {
    const md5 = (await import('node:crypto')).createHash('md5').update('legacy-pass').digest('hex');
    const legacy = { API_KEY: undefined, MMSID: '35694', DATABASEID: '17859', CAMPAIGNREF: undefined };
    const ok = await gateway.post(request({ ...legacy, USER: 'legacy', PASS: md5 }), 'text/xml');
    expect(responseField(ok.xml, 'STATUS')).toBe('Success');
    const noPass = await gateway.post(request({ ...legacy, USER: 'legacy' }), 'text/xml');
    expect(responseField(noPass.xml, 'ERRORCODE')).toBe('E103');
    const wrongPass = await gateway.post(request({ ...legacy, USER: 'legacy', PASS: md5.replace(/^./, '0') }), 'text/xml');
    expect(responseField(wrongPass.xml, 'ERRORCODE')).toBe('E104');
    const demoByUser = await gateway.post(request({ API_KEY: undefined, USER: 'demo', PASS: md5 }), 'text/xml');
    expect(responseField(demoByUser.xml, 'ERRORCODE')).toBe('E104');
  });

  it('never spends a credit on a refused request', async () => {
    const before = await credits('demo');
    await gateway.post(request({ MMSID: '35675' }), 'text/xml');
    await gateway.post(request({ TO: '16505550000' }), 'text/xml');
    // Only this suite's successful requests spend demo credits while it runs sequentially.
    expect(await credits('demo')).toBe(before);
  });

  it.each([
    ['a POST form without an xml field', () => gateway.post(new URLSearchParams({ action: 'sendMMSBarcode' })), 200, 'E100'],
    ['an empty POST', () => gateway.post('', 'text/xml'), 200, 'E100'],
    ['malformed XML', () => gateway.post('<REQUEST><ACTION>x</REQUEST>', 'text/xml'), 200, 'E108'],
    ['a DOCTYPE', () => gateway.post('<!DOCTYPE r [<!ENTITY a "b">]><REQUEST/>', 'text/xml'), 200, 'E108'],
    ['a body over the limit', () => gateway.post(`<REQUEST>${'x'.repeat(5000)}</REQUEST>`, 'text/xml'), 413, 'E100'],
    ['invalid UTF-8', () => gateway.post(new Blob([Buffer.from([0x3c, 0x52, 0xff, 0xfe, 0x3e])]) as unknown as string, 'text/xml'), 200, 'E108'],
  ])('answers %s with a well-formed Failure', async (_case, send, httpStatus, code) => {
    const { status, xml } = await send();
    expect(status).toBe(httpStatus);
    expect(xml.startsWith('<RESPONSE>')).toBe(true);
    expect(responseField(xml, 'STATUS')).toBe('Failure');
    expect(responseField(xml, 'ERRORCODE')).toBe(code);
  });
});
