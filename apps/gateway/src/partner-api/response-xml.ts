import { type PartnerResponse, escapeXmlText } from '@mms/contracts';

/** Characters XML 1.0 cannot carry at all: dropped from echoed values so the answer stays well-formed. */
// eslint-disable-next-line no-control-regex
const notXmlChar = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

// Text escaping only: quotes stay literal so ERRORINFO reads exactly as the docs print it
// ("The 'mmsid' is required") for partners that compare raw text.
const element = (name: string, value: string | number): string =>
  `    <${name}>${escapeXmlText(String(value).replace(notXmlChar, ''))}</${name}>\n`;

/** The answer body, laid out as the API docs' examples (element order included). */
export function renderResponse(response: PartnerResponse): string {
  if (response.status === 'Success') {
    return (
      '<RESPONSE>\n' +
      element('STATUS', 'Success') +
      element('MMSID', response.mmsId) +
      element('TRACKINGID', response.trackingId) +
      element('TO', response.to) +
      '</RESPONSE>\n'
    );
  }
  return (
    '<RESPONSE>\n' +
    element('STATUS', 'Failure') +
    element('ERRORCODE', response.errorCode) +
    (response.to !== undefined && response.to !== '' ? element('TO', response.to) : '') +
    element('ERRORINFO', response.errorInfo) +
    '</RESPONSE>\n'
  );
}
