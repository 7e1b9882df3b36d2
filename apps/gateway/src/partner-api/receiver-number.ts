import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import metadata from 'libphonenumber-js/metadata.max.json';
import { PartnerApiError } from '@mms/contracts';

export type NumberValidation = 'STRICT' | 'POSSIBLE_LENGTH';

export interface Receiver {
  /** International digits, no `+`. */
  readonly number: string;
  /** ISO 3166-1 alpha-2; for a number valid only by length, the main country of its calling code. */
  readonly country: string;
}

const MAX_RECEIVERS = 100;
const DIGITS = /^[1-9][0-9]{6,14}$/;
const callingCodes = (metadata as { country_calling_codes: Record<string, string[]> }).country_calling_codes;

/**
 * Checks TO. STRICT (the default) wants a number valid in its numbering plan that can be a mobile;
 * POSSIBLE_LENGTH (the demo account, and accounts that ask for it) wants only a possible length for
 * its country calling code: the docs' own 16501234123 is no valid NANP number (exchange codes never
 * start with 1), yet the docs' example must succeed.
 */
export function checkReceiver(to: string, validation: NumberValidation): Receiver {
  const numbers = to
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  if (numbers.length > MAX_RECEIVERS) throw new PartnerApiError('E623');
  // One BARCODEID identifies one holder: any other list is refused.
  const [number] = numbers;
  if (numbers.length !== 1 || number === undefined || !DIGITS.test(number)) throw new PartnerApiError('E110');

  const parsed = parsePhoneNumberFromString(`+${number}`);
  if (parsed === undefined) throw new PartnerApiError('E110');
  if (validation === 'STRICT') {
    const type = parsed.getType();
    const mobileCapable = type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE';
    if (!parsed.isValid() || !mobileCapable || parsed.country === undefined) throw new PartnerApiError('E110');
    return { number, country: parsed.country };
  }
  const country = parsed.country ?? callingCodes[parsed.countryCallingCode]?.[0];
  if (!parsed.isPossible() || country === undefined) throw new PartnerApiError('E110');
  return { number, country };
}
