/**
 * A sendMMSBarcode request as the gateway's parser hands it on: whichever of the three request
 * forms (GET, POST xml field, raw XML body) it came in, values trimmed, names case-folded.
 * Values stay strings here; the accept use case checks and converts them.
 */
export interface CustomText {
  readonly slide: string;
  readonly value: string;
}

export type Credentials =
  | { readonly kind: 'apiKey'; readonly apiKey: string }
  | { readonly kind: 'legacy'; readonly user: string; readonly passMd5: string | undefined }
  | { readonly kind: 'none' };

export interface PartnerRequest {
  readonly action: string | undefined;
  readonly credentials: Credentials;
  readonly mmsId: string | undefined;
  /** TO as given: one number, or a comma-separated list (refused later). */
  readonly to: string | undefined;
  readonly from: string | undefined;
  readonly databaseId: string | undefined;
  readonly barcodeId: string | undefined;
  readonly campaignRef: string | undefined;
  readonly customSubject: string | undefined;
  readonly customTexts: readonly CustomText[];
  readonly data: Readonly<Record<string, string>>;
  readonly device: string | undefined;
  readonly ddmTitle: string | undefined;
  readonly ddmText: string | undefined;
  readonly ddmTimeout: string | undefined;
}

export type PartnerResponse =
  | { readonly status: 'Success'; readonly mmsId: number; readonly trackingId: string; readonly to: string }
  | { readonly status: 'Failure'; readonly errorCode: string; readonly errorInfo: string; readonly to?: string };
