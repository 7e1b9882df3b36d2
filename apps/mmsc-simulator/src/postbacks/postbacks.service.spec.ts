import { Logger } from '@nestjs/common';
import { EXAMPLE_POSTBACK, bundleOf, formBody, signatureHeader } from '../../test/postback-requests';
import { loadSimulatorConfig } from '../config/simulator.config';
import { SimulatorSettings } from '../settings/simulator-settings';
import { PostbackStore } from './postback-store';
import { PostbackRequest, PostbacksService } from './postbacks.service';

function simulator(env: Record<string, string> = {}) {
  const config = loadSimulatorConfig(env);
  const settings = new SimulatorSettings(config);
  const store = new PostbackStore(config);
  return { settings, store, service: new PostbacksService(config, settings, store) };
}

function raw(document: string, headers: Partial<PostbackRequest> = {}): PostbackRequest {
  return {
    contentType: 'text/xml; charset=utf-8',
    idempotencyKey: undefined,
    timestamp: undefined,
    signature: undefined,
    userAgent: 'mms-fleet-postbacks/1',
    body: Buffer.from(document),
    ...headers,
  };
}

describe('PostbacksService', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('keeps what it read and answers 200 OK', () => {
    const { service, store } = simulator();
    const answer = service.receive(raw(EXAMPLE_POSTBACK, { idempotencyKey: 'pb-1', timestamp: '1714572231' }));
    expect(answer).toMatchObject({ httpStatus: 200, body: 'OK' });
    expect(store.list()).toEqual([
      expect.objectContaining({
        id: 1,
        form: 'raw',
        contentType: 'text/xml; charset=utf-8',
        userAgent: 'mms-fleet-postbacks/1',
        idempotencyKey: 'pb-1',
        timestampHeader: '1714572231',
        signatureHeader: null,
        signature: 'missing',
        repeat: false,
        repeatOf: null,
        answeredStatus: 200,
        document: EXAMPLE_POSTBACK,
        bundled: false,
        notices: [expect.objectContaining({ code: 'N102', trackingId: 'TU1TXzEyMzQ2' })],
        warnings: [],
      }),
    ]);
  });

  it('records which form the document came in', () => {
    const { service, store } = simulator();
    const form = (field: string): PostbackRequest => ({ ...raw(''), contentType: 'application/x-www-form-urlencoded', body: Buffer.from(formBody(field, EXAMPLE_POSTBACK)) });
    service.receive(form('xml'));
    service.receive(form('XML'));
    service.receive(raw(EXAMPLE_POSTBACK, { contentType: 'application/xml' }));
    expect(store.list().map((r) => [r.id, r.form, r.notices[0]?.code])).toEqual([
      [3, 'raw', 'N102'],
      [2, 'XML field', 'N102'],
      [1, 'xml field', 'N102'],
    ]);
  });

  it('flags a request whose Idempotency-Key came before as a repeat of the first', () => {
    const { service, store } = simulator();
    service.receive(raw(EXAMPLE_POSTBACK, { idempotencyKey: 'pb-1' }));
    service.receive(raw(bundleOf(EXAMPLE_POSTBACK), { idempotencyKey: 'pb-2' }));
    service.receive(raw(EXAMPLE_POSTBACK, { idempotencyKey: 'pb-1' }));
    service.receive(raw(EXAMPLE_POSTBACK));
    service.receive(raw(EXAMPLE_POSTBACK));
    expect(store.list().map((r) => [r.id, r.repeat, r.repeatOf])).toEqual([
      [5, false, null],
      [4, false, null],
      [3, true, 1],
      [2, false, null],
      [1, false, null],
    ]);
  });

  it('answers postbackStatusCode when it is not 200, and keeps the request marked with it', () => {
    const { service, store, settings } = simulator();
    settings.update({ postbackStatusCode: 503 });
    const answer = service.receive(raw(EXAMPLE_POSTBACK, { idempotencyKey: 'pb-1' }));
    expect(answer.httpStatus).toBe(503);
    expect(answer.body).toContain('postbackStatusCode');
    settings.reset();
    expect(service.receive(raw(EXAMPLE_POSTBACK, { idempotencyKey: 'pb-1' })).httpStatus).toBe(200);
    expect(store.list().map((r) => [r.answeredStatus, r.repeat])).toEqual([
      [200, true],
      [503, false],
    ]);
  });

  it('refuses what it cannot read with 400 or 415 and the reason, keeping nothing', () => {
    const { service, store } = simulator();
    expect(service.receive(raw('<RESPONSE/>'))).toMatchObject({ httpStatus: 400, body: expect.stringContaining('<RESPONSE>'), record: null });
    expect(service.receive(raw(EXAMPLE_POSTBACK, { contentType: 'application/json' }))).toMatchObject({ httpStatus: 415, record: null });
    expect(store.size).toBe(0);
  });

  it('checks the signature over the raw body when MMSC_SIM_POSTBACK_SECRET is set', () => {
    const { service } = simulator({ MMSC_SIM_POSTBACK_SECRET: 'whsec-demo' });
    const body = formBody('xml', EXAMPLE_POSTBACK);
    const form = (signature: string | undefined): PostbackRequest => ({
      ...raw(''),
      contentType: 'application/x-www-form-urlencoded',
      body: Buffer.from(body),
      timestamp: '1714572231',
      signature,
    });
    expect(service.receive(form(signatureHeader('whsec-demo', '1714572231', body))).record?.signature).toBe('valid');
    // Signed over the document instead of the exact bytes sent: wrong.
    expect(service.receive(form(signatureHeader('whsec-demo', '1714572231', EXAMPLE_POSTBACK))).record?.signature).toBe('invalid');
    expect(service.receive(form(undefined)).record?.signature).toBe('missing');
    expect(simulator().service.receive(form('v1=00')).record?.signature).toBe('unchecked');
  });

  it('keeps MMSC_SIM_POSTBACKS_KEPT requests, dropping the oldest; ids go on after clear()', () => {
    const { service, store } = simulator({ MMSC_SIM_POSTBACKS_KEPT: '2' });
    for (let n = 0; n < 3; n += 1) service.receive(raw(EXAMPLE_POSTBACK));
    expect(store.list().map((r) => r.id)).toEqual([3, 2]);
    expect(store.clear()).toBe(2);
    service.receive(raw(EXAMPLE_POSTBACK));
    expect(store.list().map((r) => r.id)).toEqual([4]);
  });
});
