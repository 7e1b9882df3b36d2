import { EXAMPLE_POSTBACK, formBody, refusalOf } from '../../test/postback-requests';
import { decodePostbackBody } from './postback-body';

const refusal = (contentType: string | undefined, body: Buffer | string) => refusalOf(() => decodePostbackBody(contentType, Buffer.from(body)));

describe('decodePostbackBody', () => {
  it('reads a raw XML body (text/xml or application/xml, UTF-8 by default)', () => {
    for (const contentType of ['text/xml; charset=utf-8', 'application/xml', 'Text/XML; Charset="UTF-8"']) {
      expect(decodePostbackBody(contentType, Buffer.from(EXAMPLE_POSTBACK))).toEqual({ form: 'raw', document: EXAMPLE_POSTBACK });
    }
  });

  it('decodes a raw body in the charset it declares', () => {
    const latin1 = Buffer.from('<POSTBACK><STATUSDETAILS>Caf\u00e9</STATUSDETAILS></POSTBACK>', 'latin1');
    expect(decodePostbackBody('text/xml; charset=iso-8859-1', latin1).document).toContain('Caf\u00e9');
  });

  it('reads the urlencoded field xml, and XML for old receivers', () => {
    const document = `${EXAMPLE_POSTBACK}<!-- a + b & c = d -->`;
    expect(decodePostbackBody('application/x-www-form-urlencoded', Buffer.from(formBody('xml', document)))).toEqual({ form: 'xml field', document });
    expect(decodePostbackBody('application/x-www-form-urlencoded; charset=utf-8', Buffer.from(formBody('XML', document)))).toEqual({ form: 'XML field', document });
  });

  it('prefers xml when a form has both fields', () => {
    const body = `XML=${encodeURIComponent('<POSTBACK>old</POSTBACK>')}&xml=${encodeURIComponent('<POSTBACK>new</POSTBACK>')}`;
    expect(decodePostbackBody('application/x-www-form-urlencoded', Buffer.from(body))).toEqual({ form: 'xml field', document: '<POSTBACK>new</POSTBACK>' });
  });

  it('answers 415 for a body that is not XML nor a form, naming the type', () => {
    expect(refusal('application/json', '{}')).toMatchObject({ httpStatus: 415, message: expect.stringContaining('application/json is not a postback') });
    expect(refusal('multipart/form-data; boundary=x', '--x--')).toMatchObject({ httpStatus: 415 });
    expect(refusal(undefined, EXAMPLE_POSTBACK)).toMatchObject({ httpStatus: 415, message: expect.stringContaining('no Content-Type') });
    expect(refusal('text/', EXAMPLE_POSTBACK)).toMatchObject({ httpStatus: 415, message: expect.stringContaining('media subtype expected') });
    expect(refusal('text/xml; charset=klingon', EXAMPLE_POSTBACK)).toMatchObject({ httpStatus: 415, message: expect.stringContaining('charset "klingon"') });
  });

  it('answers 400 for a form without the field, naming the fields it has', () => {
    const problem = refusal('application/x-www-form-urlencoded', 'Xml=x&doc=y');
    expect(problem.httpStatus).toBe(400);
    expect(problem.message).toBe('the form has no field xml (nor XML); fields sent: Xml, doc');
    expect(refusal('application/x-www-form-urlencoded', '').message).toBe('the form has no field xml (nor XML)');
  });

  it('answers 400 for an empty document, raw or in a field', () => {
    expect(refusal('text/xml', '  \n')).toMatchObject({ httpStatus: 400, message: 'the body is empty: no postback document' });
    expect(refusal('application/x-www-form-urlencoded', 'xml=')).toMatchObject({ httpStatus: 400, message: 'the form field xml is empty: no postback document' });
    expect(refusal('application/x-www-form-urlencoded', 'XML=+')).toMatchObject({ httpStatus: 400, message: 'the form field XML is empty: no postback document' });
  });

  it('answers 400 for bytes that are not UTF-8 rather than guessing', () => {
    expect(refusal('text/xml', Buffer.from([0x3c, 0x50, 0xff, 0x3e]))).toMatchObject({ httpStatus: 400, message: 'the body is not valid utf-8' });
  });
});
