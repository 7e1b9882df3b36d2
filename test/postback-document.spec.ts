import fc from 'fast-check';
import { PostbackCode, PostbackNotice, PostbackStatus, renderPostback, renderPostbackBundle, trackingIdOf } from '@mms/contracts';
import { DOCS_POSTBACK } from './docs-examples';
import { validateXml } from './xml-schema';

/** The docs' example as our notice: 2011-08-02T07:21:04-04:00 is 11:21:04 UTC. */
const DOCS_NOTICE: PostbackNotice = {
  code: PostbackCode.DeliveryReport,
  status: PostbackStatus.Delivered,
  sentAs: 'MMS',
  mmsId: 35674,
  to: '16501234123',
  trackingId: 'TU1TXzEyMzQ2',
  spid: '0001890',
  timestamp: new Date('2011-08-02T11:21:04Z'),
  handset: 'motol7c',
  aggregatorId: '11529-64807-97508-73852-97658',
};

describe('postback documents', () => {
  it('lay out the docs example byte for byte, the time in UTC with its offset', () => {
    expect(renderPostback(DOCS_NOTICE)).toBe(
      DOCS_POSTBACK.replace('<TIMESTAMP>2011-08-02T07:21:04-04:00</TIMESTAMP>', '<TIMESTAMP>2011-08-02T11:21:04+00:00</TIMESTAMP>'),
    );
  });

  it('escape what they carry and leave out empty optional elements', () => {
    const xml = renderPostback({
      ...DOCS_NOTICE,
      code: PostbackCode.Failed,
      status: PostbackStatus.Failed,
      sentAs: undefined,
      spid: undefined,
      handset: '  ',
      aggregatorId: undefined,
      statusDetails: 'the MMS is <big> & "heavy"\u0001',
    });
    expect(xml).toContain('<STATUSDETAILS>the MMS is &lt;big&gt; &amp; "heavy"</STATUSDETAILS>');
    expect(xml).not.toMatch(/HANDSET|SENTAS|SPID|AGGREGATORID/);
  });

  const notice: fc.Arbitrary<PostbackNotice> = fc.oneof(
    fc.record({
      code: fc.constant(PostbackCode.Sent),
      status: fc.constant(PostbackStatus.Sent),
      sentAs: fc.constant('MMS' as const),
      spid: fc.stringMatching(/^[0-9]{7}$/),
    }),
    fc.record({
      code: fc.constant(PostbackCode.DeliveryReport),
      status: fc.constantFrom(PostbackStatus.Delivered, PostbackStatus.Expired, PostbackStatus.Rejected),
      sentAs: fc.constant('MMS' as const),
      handset: fc.option(fc.string({ minLength: 1, maxLength: 40 }), { nil: undefined }),
      aggregatorId: fc.option(fc.string({ minLength: 1, maxLength: 60 }), { nil: undefined }),
    }),
    fc.record({
      code: fc.constant(PostbackCode.Failed),
      status: fc.constant(PostbackStatus.Failed),
      statusDetails: fc.string({ maxLength: 200 }),
    }),
  ).chain((kind) =>
    fc.record({
      mmsId: fc.integer({ min: 1, max: 2_000_000_000 }),
      to: fc.stringMatching(/^[1-9][0-9]{6,14}$/),
      trackingId: fc.integer({ min: 1, max: 2_000_000_000 }).map(trackingIdOf),
      timestamp: fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }),
    }).map((common): PostbackNotice => ({ ...kind, ...common })),
  );

  it('every notice, alone or bundled, is valid against docs/schemas/postback.xsd', async () => {
    const samples = fc.sample(notice, { numRuns: 60, seed: 9 });
    const documents = [...samples.map(renderPostback), renderPostbackBundle(samples.slice(0, 5)), renderPostbackBundle(samples.slice(5, 6))];
    const results = await Promise.all(documents.map((xml) => validateXml(xml, 'postback')));
    results.forEach((result, index) => expect({ document: documents[index], errors: result.errors }).toEqual({ document: documents[index], errors: [] }));
  });
});
