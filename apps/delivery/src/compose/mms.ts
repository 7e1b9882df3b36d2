/** A composed MMS, transport-neutral: what an outbox file or an MM7 SubmitReq carries. */
export interface MmsPart {
  readonly contentId: string;
  readonly contentType: string;
  /** Content-Location: the part's file name. */
  readonly location: string;
  readonly body: Buffer;
}

export interface ComposedMms {
  readonly trackingId: string;
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  /** The SMIL presentation first, then the slides' parts in slide order. */
  readonly parts: readonly MmsPart[];
}
