import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BwipRenderer } from '@mms/barcode-render';
import { parseBarcodeSettings } from '@mms/contracts';
// Test-only: the simulator's reader and schema are the independent second opinion on our bytes.
// (The simulator itself imports nothing of ours; this direction is a test checking our output.)
import { readSubmitRequest } from '../../mmsc-simulator/src/mm7/submit-request.reader';
import { decodeBarcodes } from '../../../test/barcode-decoder';
import { composeMms } from '../src/compose/compose-mms';
import { mm7ConnectorSchema } from '../src/transport/mm7/mm7-connector';
import { submitReqFor } from '../src/transport/mm7/submit-req';

/**
 * Golden check of our SubmitReq against the schema the MMSC simulator wrote from TS 23.140's
 * element definitions: the docs' example message, as the delivery service composes it, in both
 * MM7 versions we speak, validates with no issue and reads back to what we meant.
 */
describe('our SubmitReq, checked by the simulator\'s MM7 schema', () => {
  it.each(['6.8.0', '5.3.0'] as const)('validates in MM7 %s and carries the barcode intact', async (version) => {
    const barcode = await new BwipRenderer().render('QRCODE', 'Ticket_12345', parseBarcodeSettings({}));
    const mms = composeMms({
      trackingId: 'TU1TXzEyMzQ2',
      from: '60856',
      to: '16501234123',
      templateSubject: 'Your ticket',
      customSubject: 'Your Event Ticket',
      slides: [
        { position: 1, text: 'Your mobile ticket', durationSeconds: 5, media: null },
        { position: 2, text: 'Show this code at the entrance.', durationSeconds: 5, media: 'BARCODE' },
      ],
      customTexts: [{ slide: '1', value: 'Hyes Convention Event Ticket' }],
      mergeData: {},
      barcode: { bytes: barcode.bytes, contentType: barcode.contentType },
    });
    const connector = mm7ConnectorSchema.parse({ url: 'http://127.0.0.1/mm7', version, vaspId: 'mmsgw', vasId: 'tickets', numberPrefix: version === '5.3.0' ? '+' : '' });
    const request = submitReqFor(mms, connector, new Date('2026-11-26T18:00:00Z'));

    const reading = readSubmitRequest({ contentType: request.contentType, soapAction: '""', body: request.body });
    expect(reading.issues).toEqual([]);
    expect(reading.warnings).toEqual([]);
    expect(reading.transactionId).toBe('TU1TXzEyMzQ2');
    expect(reading.submit).toMatchObject({
      mm7Version: version,
      vaspId: 'mmsgw',
      vasId: 'tickets',
      sender: { kind: 'ShortCode', value: '60856' },
      recipients: [{ field: 'To', kind: 'Number', value: `${version === '5.3.0' ? '+' : ''}16501234123` }],
      deliveryReport: true,
      subject: 'Your Event Ticket',
      allowAdaptations: false,
    });
    const png = reading.parts.find((part) => part.mediaType.essence === 'image/png');
    expect(png?.body.equals(barcode.bytes)).toBe(true);
    expect(await decodeBarcodes(png?.body as Buffer)).toEqual(['Ticket_12345']);
  });

  it('golden: the example SubmitReq bytes are stable (ids derive from the content)', () => {
    const golden = join(__dirname, 'fixtures', 'submit-req.golden.http');
    const mms = composeMms({
      trackingId: 'TU1TXzEyMzQ2',
      from: '60856',
      to: '16501234123',
      templateSubject: 'Your ticket',
      customSubject: null,
      slides: [{ position: 1, text: 'Show this code.', durationSeconds: 10, media: 'BARCODE' }],
      customTexts: [],
      mergeData: {},
      barcode: { bytes: Buffer.from('89504e470d0a1a0a', 'hex'), contentType: 'image/png' },
    });
    const request = submitReqFor(mms, mm7ConnectorSchema.parse({ url: 'http://127.0.0.1/mm7' }), new Date('2026-11-26T18:00:00Z'));
    const text = `Content-Type: ${request.contentType}\r\n\r\n${request.body.toString('utf8')}`;
    expect(text).toBe(readFileSync(golden, 'utf8'));
  });
});
