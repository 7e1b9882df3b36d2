import { type PartnerResponse, dropNonXmlChars, escapeXmlText } from '@mms/contracts';

// Text escaping only: quotes stay literal so ERRORINFO reads exactly as the docs print it
// ("The 'mmsid' is required") for partners that compare raw text.
const element = (name: string, value: string | number): string =>
  `    <${name}>${escapeXmlText(dropNonXmlChars(String(value)))}</${name}>\n`;

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
