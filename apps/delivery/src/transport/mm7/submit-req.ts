import { SubmitReqDialect, SubmitReqMessage, buildSubmitReq } from '@mms/mm7';
import type { ComposedMms } from '../../compose/mms';
import { renderMultipartRelated } from '../../compose/mime';

/**
 * A composed MMS as an MM7 SubmitReq in the connector's dialect (the codec in @mms/mm7 writes the
 * envelope). The TransactionID is the tracking id, so an MMSC can spot a resubmission.
 */
export function submitReqFor(mms: ComposedMms, dialect: SubmitReqDialect, timestamp: Date): SubmitReqMessage {
  return buildSubmitReq(
    { transactionId: mms.trackingId, senderShortCode: mms.from, recipient: mms.to, subject: mms.subject, content: renderMultipartRelated(mms) },
    dialect,
    timestamp,
  );
}
