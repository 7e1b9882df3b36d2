import { EXAMPLE_NOTICE, EXAMPLE_POSTBACK, bundleOf, failedPostback, postbackWith, refusalOf } from '../../test/postback-requests';
import { readPostbackDocument } from './postback-document';

const refusal = (document: string) => refusalOf(() => readPostbackDocument(document));

describe('readPostbackDocument', () => {
  it("reads the API.md example: every field, no warning", () => {
    expect(readPostbackDocument(EXAMPLE_POSTBACK)).toEqual({
      bundled: false,
      notices: [EXAMPLE_NOTICE],
      warnings: [],
    });
  });

  it('reads a bundle oldest first, one notice per POSTBACK', () => {
    const sent = postbackWith({ CODE: 'N101', STATUS: 'Message Sent', TIMESTAMP: '2011-08-02T07:20:00-04:00', HANDSET: null, AGGREGATORID: null });
    const failed = failedPostback('TU1TXzk5', 'Handset &lt;unreachable&gt;').replace('2011-08-02T07:21:04-04:00', '2011-08-02T11:30:00Z');
    const document = readPostbackDocument(bundleOf(sent, EXAMPLE_POSTBACK, failed));
    expect(document.bundled).toBe(true);
    expect(document.notices.map((n) => [n.code, n.status, n.trackingId, n.handset, n.statusDetails])).toEqual([
      ['N101', 'Message Sent', 'TU1TXzEyMzQ2', null, null],
      ['N102', 'Message Sent/Delivered', 'TU1TXzEyMzQ2', 'motol7c', null],
      ['E101', 'Message Failed', 'TU1TXzk5', null, 'Handset <unreachable>'],
    ]);
    expect(document.warnings).toEqual([]);
  });

  it('counts a POSTBACKS of one as a bundle', () => {
    expect(readPostbackDocument(bundleOf(EXAMPLE_POSTBACK))).toMatchObject({ bundled: true, notices: [{ code: 'N102' }] });
  });

  it('refuses (400) what is not a postback document, saying why', () => {
    expect(refusal('<POSTBACK><CODE>N101</POSTBACK>')).toMatchObject({ httpStatus: 400, message: expect.stringContaining('not well-formed XML') });
    expect(refusal('OK')).toMatchObject({ httpStatus: 400, message: expect.stringContaining('cannot be read') });
    expect(refusal('<RESPONSE><STATUS>Success</STATUS></RESPONSE>')).toMatchObject({
      httpStatus: 400,
      message: 'the root element is <RESPONSE>: a postback document is a POSTBACK or a POSTBACKS',
    });
    expect(refusal('<postback/>').message).toContain('<postback>');
    expect(refusal('<POSTBACKS><NOTIFICATION/></POSTBACKS>')).toMatchObject({ httpStatus: 400, message: 'POSTBACKS holds no POSTBACK' });
    expect(refusal('<!DOCTYPE POSTBACK [<!ENTITY x "y">]><POSTBACK/>').message).toContain('document type declaration');
  });

  it('warns about what breaks postback.xsd without refusing', () => {
    const broken = postbackWith({ TRACKINGID: null, STATUS: 'Message Sent', TO: '+16501234123', SPID: '1890' }).replace('<HANDSET>', '<COLOR>red</COLOR><HANDSET>');
    const document = readPostbackDocument(broken);
    expect(document.notices[0]).toMatchObject({ trackingId: null, to: '+16501234123' });
    expect(document.warnings).toEqual([
      'POSTBACK: <COLOR> is not a postback element',
      'POSTBACK: TO "+16501234123" is not an international number, digits only',
      'POSTBACK: TRACKINGID is missing',
      'POSTBACK: SPID "1890" is not 7 digits',
      'POSTBACK: STATUS "Message Sent" does not go with N102 (Message Sent/Delivered, Message Sent/Expired, Message Sent/Rejected)',
    ]);
  });

  it('warns about elements out of order, an E101 without its reason, and a bundle newest first', () => {
    const swapped = EXAMPLE_POSTBACK.replace('<CODE>N102</CODE>', '').replace('</AGGREGATORID>', '</AGGREGATORID><CODE>N102</CODE>');
    expect(readPostbackDocument(swapped).warnings).toEqual(['POSTBACK: CODE is out of the schema\'s order']);
    const noReason = postbackWith({ CODE: 'E101', STATUS: 'Message Failed' });
    expect(readPostbackDocument(noReason).warnings).toEqual(['POSTBACK: E101 without STATUSDETAILS: the partner cannot tell why']);
    const earlier = postbackWith({ TIMESTAMP: '2011-08-02T07:00:00-04:00' });
    expect(readPostbackDocument(bundleOf(EXAMPLE_POSTBACK, earlier)).warnings).toEqual(['POSTBACK 2 is older than POSTBACK 1: a bundle is oldest first']);
  });
});
