import fc from 'fast-check';
import { checkEncodable, gs1CheckDigit } from './barcode-encodability';
import type { Symbology } from './barcode-settings';

const verdict = (symbology: Symbology, value: string) => checkEncodable(symbology, value).ok;
const digitString = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });

describe('gs1CheckDigit', () => {
  it.each([
    ['400638133393', 1], // EAN-13 4006381333931
    ['590123412345', 7], // EAN-13 5901234123457
    ['03600029145', 2], // UPC-A 036000291452
    ['1001234567890', 2], // ITF-14 10012345678902
    ['0950110153000', 3], // GTIN-14 09501101530003
    ['', 0],
  ])('of %s is %i', (digits, expected) => {
    expect(gs1CheckDigit(digits)).toBe(expected);
  });

  it('property: appending it makes the weighted sum (3,1,3,1... from the right, the check digit weighing 1) a multiple of 10', () => {
    fc.assert(
      fc.property(digitString(0, 20), (digits) => {
        const all = `${digits}${gs1CheckDigit(digits)}`;
        const sum = [...all].reverse().reduce((total, d, i) => total + Number(d) * (i % 2 === 0 ? 1 : 3), 0);
        expect(sum % 10).toBe(0);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('checkEncodable (E634: can BARCODEID be encoded in the database symbology?)', () => {
  it.each<[Symbology, string, boolean, string]>([
    ['EAN13', '4006381333931', true, 'a valid EAN-13'],
    ['EAN13', '400638133393', true, '12 digits: the check digit is computed'],
    ['EAN13', '4006381333932', false, 'a wrong check digit'],
    ['EAN13', 'ABC', false, 'letters'],
    ['EAN13', '40063813339', false, '11 digits'],
    ['EAN13', '40063813339310', false, '14 digits'],
    ['EAN13', '4006381333931 ', false, 'a trailing space'],
    ['EAN13', '４００６３８１３３３９３１', false, 'full-width digits'],
    ['UPCA', '036000291452', true, 'a valid UPC-A'],
    ['UPCA', '03600029145', true, '11 digits'],
    ['UPCA', '036000291453', false, 'a wrong check digit'],
    ['ITF14', '10012345678902', true, 'a valid ITF-14'],
    ['ITF14', '1001234567890', true, '13 digits'],
    ['ITF14', '10012345678903', false, 'a wrong check digit'],
    ['CODE39', 'TICKET-12345', true, 'upper case, digits and -'],
    ['CODE39', 'A B.$/+%', true, 'every special character'],
    ['CODE39', 'Ticket_12345', false, 'lower case and _'],
    ['CODE39', 'X'.repeat(80), true, '80 characters'],
    ['CODE39', 'X'.repeat(81), false, '81 characters'],
    ['CODE39', 'ROW/A-SEAT+B', false, 'a / or + before a letter (Full ASCII readers read ROW!-SEATb)'],
    ['CODE39', 'PRICE $5 +10%', true, 'specials before digits, spaces and the end'],
    ['CODE128', 'Ticket_12345', true, 'ASCII'],
    ['CODE128', 'A\u001dB\tC', true, 'ASCII control characters'],
    ['CODE128', 'Café', false, 'a non-ASCII letter'],
    ['CODE128', 'x'.repeat(81), false, '81 characters'],
    ['GS1_128', '(01)09501101530003', true, 'one application identifier'],
    ['GS1_128', '(01)09501101530003(17)251231(10)AB12', true, 'several'],
    ['GS1_128', '0109501101530003', false, 'no parentheses'],
    ['GS1_128', '(1)09501101530003', false, 'a one-digit AI'],
    ['GS1_128', '(01)', false, 'an AI without data'],
    ['QRCODE', 'Ticket_12345', true, 'text'],
    ['QRCODE', 'x'.repeat(2953), true, 'the byte capacity of version 40-L'],
    ['QRCODE', 'x'.repeat(2954), false, 'one byte over'],
    ['QRCODE', 'é'.repeat(1477), false, '2,954 UTF-8 bytes in 1,477 characters'],
    ['AZTEC', 'x'.repeat(1914), true, 'the byte capacity'],
    ['AZTEC', 'x'.repeat(1915), false, 'one byte over'],
    ['PDF417', 'x'.repeat(1100), true, 'the byte capacity'],
    ['PDF417', 'x'.repeat(1101), false, 'one byte over'],
    ['DATAMATRIX', 'x'.repeat(1556), true, 'the byte capacity'],
    ['DATAMATRIX', 'x'.repeat(1557), false, 'one byte over'],
  ])('%s %j: %s (%s)', (symbology, value, ok) => {
    expect(verdict(symbology, value)).toBe(ok);
  });

  it.each<Symbology>(['QRCODE', 'AZTEC', 'PDF417', 'DATAMATRIX', 'CODE128', 'CODE39', 'EAN13', 'UPCA', 'ITF14', 'GS1_128'])(
    'refuses an empty value in %s, with a reason',
    (symbology) => {
      const result = checkEncodable(symbology, '');
      expect(result.ok).toBe(false);
      expect(result.ok ? '' : result.reason).not.toBe('');
    },
  );

  it.each<[Symbology, number]>([
    ['EAN13', 13],
    ['UPCA', 12],
    ['ITF14', 14],
  ])('property: %s accepts n-1 digits, and n digits exactly when the last is the check digit', (symbology, n) => {
    fc.assert(
      fc.property(digitString(n - 1, n - 1), fc.integer({ min: 0, max: 9 }), (body, last) => {
        expect(verdict(symbology, body)).toBe(true);
        expect(verdict(symbology, `${body}${last}`)).toBe(last === gs1CheckDigit(body));
      }),
      { numRuns: 500 },
    );
  });

  it.each<[Symbology, number]>([
    ['EAN13', 13],
    ['UPCA', 12],
    ['ITF14', 14],
  ])('property: %s refuses every other length and anything but ASCII digits', (symbology, n) => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (value) => {
        const acceptable = /^[0-9]+$/.test(value) && (value.length === n - 1 || (value.length === n && Number(value.slice(-1)) === gs1CheckDigit(value.slice(0, -1))));
        expect(verdict(symbology, value)).toBe(acceptable);
      }),
      { numRuns: 1000 },
    );
  });

  it('property: a refusal always carries a reason, an acceptance never throws', () => {
    const symbology = fc.constantFrom<Symbology>('QRCODE', 'AZTEC', 'PDF417', 'DATAMATRIX', 'CODE128', 'CODE39', 'EAN13', 'UPCA', 'ITF14', 'GS1_128');
    fc.assert(
      fc.property(symbology, fc.string({ unit: 'binary', maxLength: 100 }), (s, value) => {
        const result = checkEncodable(s, value);
        if (!result.ok) expect(result.reason.length).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });
});
