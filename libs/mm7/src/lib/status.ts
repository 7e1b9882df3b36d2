/** Request status classes of TS 23.140 (the table in ../shared/mm7/NOTES.md). */
export type StatusClass = 1000 | 2000 | 3000 | 4000;

/** The codes we write ourselves. */
export const Mm7Status = {
  Success: 1000,
  /** Our side failed (the database away...): the MMSC may send the request again later. */
  ServerError: 3000,
  ImproperIdentification: 4001,
  ValidationError: 4004,
} as const;

/**
 * The status class of an MM7 request status code: an unknown code counts as x000 of its class,
 * a code outside the four classes as 3000 (server error).
 */
export function statusClass(code: number): StatusClass {
  const klass = Math.floor(code / 1000) * 1000;
  return klass === 1000 || klass === 2000 || klass === 3000 || klass === 4000 ? klass : 3000;
}

/**
 * MMStatus values of a DeliveryReportReq (TS 23.140 §8.7.5), lower-cased as we compare them. The
 * final ones end a message's life at the carrier; the others (Deferred, Indeterminate, Forwarded,
 * Unrecognised) are news without a change.
 */
export const FINAL_MM_STATUSES = ['retrieved', 'expired', 'rejected'] as const;
export type FinalMmStatus = (typeof FINAL_MM_STATUSES)[number];

export function finalMmStatus(mmStatus: string): FinalMmStatus | undefined {
  const lower = mmStatus.toLowerCase();
  return (FINAL_MM_STATUSES as readonly string[]).includes(lower) ? (lower as FinalMmStatus) : undefined;
}
