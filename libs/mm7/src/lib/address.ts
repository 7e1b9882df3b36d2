import { escapeXml } from '@mms/contracts';

/** How a connector writes international numbers: some MMSCs want `+` before them, others not. */
export type NumberPrefix = '' | '+';

/** An MM7 address element for a phone number. */
export function numberAddress(number: string, prefix: NumberPrefix): string {
  return `<Number>${escapeXml(`${prefix}${number}`)}</Number>`;
}

export function shortCodeAddress(code: string): string {
  return `<ShortCode>${escapeXml(code)}</ShortCode>`;
}

/**
 * The number of an address element read by local name (Number, ShortCode or RFC2822Address), in
 * our form: international without `+`.
 */
export function readAddress(value: unknown, text: (value: unknown) => string | undefined): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const fields = value as Record<string, unknown>;
  const raw = text(fields['Number']) ?? text(fields['ShortCode']) ?? text(fields['RFC2822Address']);
  return raw?.replace(/^\+/, '');
}
