import { PartnerApiError } from '@mms/contracts';
import type { NumberValidation } from '@mms/db';
import { checkReceiver } from '../../apps/gateway/src/partner-api/receiver-number';
import { AdminError } from './context';

/**
 * An id the partner API carries as an integer (MMSID, DATABASEID, CAMPAIGNREF): the gateway takes
 * 1 to 9 digits, so a row with a larger id could never be named in a request.
 */
export function idFrom(label: string, text: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(text)) throw new AdminError(`${label} must be a positive integer of up to 9 digits, got: ${text}`);
  return Number(text);
}

/** An integer within bounds; `alternative` names the word the option also takes (e.g. default). */
export function integerFrom(label: string, text: string, min: number, max: number, alternative?: string): number {
  const n = /^-?[0-9]{1,10}$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) {
    throw new AdminError(`${label} must be an integer from ${min} to ${max}${alternative === undefined ? ',' : `, or ${alternative};`} got: ${text}`);
  }
  return n;
}

export function onOffFrom(label: string, text: string): boolean {
  if (text !== 'on' && text !== 'off') throw new AdminError(`${label} must be on or off, got: ${text}`);
  return text === 'on';
}

export function oneOf<T extends string>(label: string, text: string, allowed: Readonly<Record<string, T>>): T {
  const value = Object.hasOwn(allowed, text) ? allowed[text] : undefined;
  if (value === undefined) throw new AdminError(`${label} must be ${describeChoices(Object.keys(allowed))}, got: ${text}`);
  return value;
}

export function describeChoices(choices: readonly string[]): string {
  return choices.length < 2 ? choices.join('') : `${choices.slice(0, -1).join(', ')} or ${choices[choices.length - 1]}`;
}

/** The operator's names of the number validation modes. */
export const NUMBER_VALIDATIONS: Readonly<Record<string, NumberValidation>> = {
  strict: 'STRICT',
  'possible-length': 'POSSIBLE_LENGTH',
};

/**
 * A receiving number as the gateway checks TO for this account (receiver-number.ts): international
 * digits without + or 00, valid (STRICT) or of a possible length (POSSIBLE_LENGTH). Returns the
 * number as the gateway records it, and its country.
 */
export function receiverFrom(text: string, validation: NumberValidation, role = 'a number the API takes as TO'): { number: string; country: string } {
  try {
    return checkReceiver(text, validation);
  } catch (error) {
    if (!(error instanceof PartnerApiError)) throw error;
    const rule =
      validation === 'STRICT' ? 'a number valid in its numbering plan that can be a mobile' : 'a possible length for its country calling code';
    throw new AdminError(`${JSON.stringify(text)} is not ${role} (international digits, no + or 00, ${rule}: ${error.code})`);
  }
}
