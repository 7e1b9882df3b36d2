import type { Credentials, PartnerRequest, SendBarcodeRequest } from '@mms/contracts';

const SEND_MMS_BARCODE = 'sendMMSBarcode';

/**
 * A typed send as the XML parser would have handed the same request on: values trimmed, an empty
 * one as absent, ids as the API's strings, DATA names upper-cased. So the accept use case checks
 * both alike, in the same precedence (docs/error-precedence.md).
 */
export function toPartnerRequest(request: SendBarcodeRequest): PartnerRequest {
  return {
    action: SEND_MMS_BARCODE,
    credentials: credentialsOf(request.credentials),
    mmsId: String(request.mmsId),
    to: given(request.to),
    from: given(request.from),
    databaseId: request.databaseId === undefined ? undefined : String(request.databaseId),
    barcodeId: given(request.barcodeId),
    campaignRef: request.campaignRef === undefined ? undefined : String(request.campaignRef),
    customSubject: given(request.customSubject),
    customTexts: (request.customTexts ?? []).map((t) => ({ slide: String(t.slide), value: t.value.trim() })),
    data: Object.fromEntries(Object.entries(request.data ?? {}).map(([name, value]) => [name.toUpperCase(), value.trim()])),
    device: given(request.device),
    ddmTitle: undefined,
    ddmText: undefined,
    ddmTimeout: undefined,
  };
}

function credentialsOf(credentials: SendBarcodeRequest['credentials']): Credentials {
  if ('apiKey' in credentials) {
    const apiKey = given(credentials.apiKey);
    return apiKey === undefined ? { kind: 'none' } : { kind: 'apiKey', apiKey };
  }
  const user = given(credentials.user);
  return user === undefined ? { kind: 'none' } : { kind: 'legacy', user, passMd5: given(credentials.passMd5) };
}

function given(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
