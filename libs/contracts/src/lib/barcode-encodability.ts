import type { Symbology } from './barcode-settings';

export type Encodability = { readonly ok: true } | { readonly ok: false; readonly reason: string };

const ok: Encodability = { ok: true };
const refuse = (reason: string): Encodability => ({ ok: false, reason });

/** GS1 mod-10 check digit over the digits before it (EAN-13, UPC-A, ITF-14, SSCC...). */
export function gs1CheckDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    const digit = Number(digits[digits.length - 1 - i]);
    sum += i % 2 === 0 ? digit * 3 : digit;
  }
  return (10 - (sum % 10)) % 10;
}

function fixedLengthGs1(name: string, value: string, length: number): Encodability {
  if (!/^[0-9]+$/.test(value)) return refuse(`${name} takes digits only`);
  if (value.length === length - 1) return ok; // the check digit is computed
  if (value.length !== length) return refuse(`${name} takes ${length - 1} digits, or ${length} with the check digit`);
  const expected = gs1CheckDigit(value.slice(0, -1));
  return Number(value.slice(-1)) === expected ? ok : refuse(`${name} check digit should be ${expected}`);
}

/**
 * Byte capacities at the most generous setting of each 2-D symbology (binary mode); the
 * renderer's own encoder has the last word on a given error-correction level.
 */
const byteCapacity: Partial<Record<Symbology, number>> = {
  QRCODE: 2953, // version 40-L
  AZTEC: 1914, // 32 layers, 23% error correction
  PDF417: 1100,
  DATAMATRIX: 1556, // 144x144
};

/**
 * Whether a BARCODEID can be encoded in a symbology: character set, length and check digits.
 * The gateway answers E634 with it before accepting; the barcode service checks again before
 * rendering.
 */
export function checkEncodable(symbology: Symbology, value: string): Encodability {
  if (value.length === 0) return refuse('the value is empty');
  switch (symbology) {
    case 'EAN13':
      return fixedLengthGs1('EAN-13', value, 13);
    case 'UPCA':
      return fixedLengthGs1('UPC-A', value, 12);
    case 'ITF14':
      return fixedLengthGs1('ITF-14', value, 14);
    case 'CODE39':
      if (!/^[0-9A-Z \-.$/+%]+$/.test(value)) return refuse('Code 39 takes 0-9, A-Z, space and - . $ / + % only');
      // Full ASCII readers (zxing, many gate scanners) read $X %X /X +X as one character:
      // "ROW/A" would scan as "ROW!". Such a ticket reads differently at different gates.
      if (/[$%/+][A-Z]/.test(value)) return refuse('Code 39: $, %, / or + before a letter reads as another character on Full ASCII scanners');
      return value.length <= 80 ? ok : refuse('Code 39 values are limited to 80 characters');
    case 'CODE128':
      // eslint-disable-next-line no-control-regex
      if (!/^[\x00-\x7F]+$/.test(value)) return refuse('Code 128 takes ASCII characters only');
      return value.length <= 80 ? ok : refuse('Code 128 values are limited to 80 characters');
    case 'GS1_128':
      if (!/^(\([0-9]{2,4}\)[^()]+)+$/.test(value)) return refuse('GS1-128 takes application identifiers like (01)09501101530003');
      return value.length <= 80 ? ok : refuse('GS1-128 values are limited to 80 characters');
    default: {
      const capacity = byteCapacity[symbology] ?? 0;
      const bytes = Buffer.byteLength(value, 'utf8');
      return bytes <= capacity ? ok : refuse(`${symbology} holds at most ${capacity} bytes, the value has ${bytes}`);
    }
  }
}
