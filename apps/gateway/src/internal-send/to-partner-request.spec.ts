import type { SendBarcodeRequest } from '@mms/contracts';
import { asError } from './internal-send.server';
import { toPartnerRequest } from './to-partner-request';

const request: SendBarcodeRequest = {
  idempotencyKey: 'order-4711',
  credentials: { apiKey: 'qTFkykO9JTfahCOqJ0V2Wf5Cg1t8iWlZ' },
  mmsId: 35674,
  to: '16501234123',
  from: '60856',
  databaseId: 17856,
  barcodeId: 'Ticket_4711',
};

describe('toPartnerRequest', () => {
  it('is the request the XML parser makes of the docs example', () => {
    expect(toPartnerRequest(request)).toStrictEqual({
      action: 'sendMMSBarcode',
      credentials: { kind: 'apiKey', apiKey: 'qTFkykO9JTfahCOqJ0V2Wf5Cg1t8iWlZ' },
      mmsId: '35674',
      to: '16501234123',
      from: '60856',
      databaseId: '17856',
      barcodeId: 'Ticket_4711',
      campaignRef: undefined,
      customSubject: undefined,
      customTexts: [],
      data: {},
      device: undefined,
      ddmTitle: undefined,
      ddmText: undefined,
      ddmTimeout: undefined,
    });
  });

  it('trims values, takes an empty one as absent and upper-cases DATA names, as the parser does', () => {
    const mapped = toPartnerRequest({
      ...request,
      credentials: { apiKey: '  key  ' },
      to: ' 16501234123 ',
      from: '   ',
      barcodeId: '',
      databaseId: undefined,
      campaignRef: 12333,
      customSubject: ' Hi & bye ',
      customTexts: [{ slide: 2, value: ' Row 5 ' }],
      data: { firstName: ' Ann ' },
      device: 'iPhone',
    });
    expect(mapped).toMatchObject({
      credentials: { kind: 'apiKey', apiKey: 'key' },
      to: '16501234123',
      from: undefined,
      barcodeId: undefined,
      databaseId: undefined,
      campaignRef: '12333',
      customSubject: 'Hi & bye',
      customTexts: [{ slide: '2', value: 'Row 5' }],
      data: { FIRSTNAME: 'Ann' },
      device: 'iPhone',
    });
  });

  it('maps legacy credentials; blank ones are no credentials (E102 first, as in the API)', () => {
    expect(toPartnerRequest({ ...request, credentials: { user: 'legacy', passMd5: 'ABC' } }).credentials).toStrictEqual({ kind: 'legacy', user: 'legacy', passMd5: 'ABC' });
    expect(toPartnerRequest({ ...request, credentials: { user: ' ', passMd5: 'ABC' } }).credentials).toStrictEqual({ kind: 'none' });
    expect(toPartnerRequest({ ...request, credentials: { apiKey: ' ' } }).credentials).toStrictEqual({ kind: 'none' });
    expect(toPartnerRequest({ ...request, credentials: { user: 'legacy', passMd5: ' ' } }).credentials).toStrictEqual({ kind: 'legacy', user: 'legacy', passMd5: undefined });
  });
});

describe('asError (a handler error after Nest RPC exception filter)', () => {
  it('keeps Errors, reads the filter message, stringifies the rest', () => {
    const error = new Error('database away');
    expect(asError(error)).toBe(error);
    expect(asError({ status: 'error', message: 'Internal server error' }).message).toBe('Internal server error');
    expect(asError('boom').message).toBe('boom');
  });
});
