/**
 * TRACKINGID is opaque to partners; ours is base64("MMS_<message id>"), the form the API docs
 * show (`TU1TXzEyMzQ2` is base64 of `MMS_12346`).
 */
export function trackingIdOf(messageId: number): string {
  if (!Number.isSafeInteger(messageId) || messageId <= 0) {
    throw new RangeError(`message id must be a positive integer, got ${messageId}`);
  }
  return Buffer.from(`MMS_${messageId}`, 'utf8').toString('base64');
}

/** The message id inside a tracking id, or null when the text is not one of ours. */
export function messageIdOf(trackingId: string): number | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trackingId)) return null;
  const decoded = Buffer.from(trackingId, 'base64').toString('utf8');
  const match = /^MMS_([1-9][0-9]{0,15})$/.exec(decoded);
  if (!match) return null;
  const id = Number(match[1]);
  return Number.isSafeInteger(id) && trackingIdOf(id) === trackingId ? id : null;
}
