import type { FastifyReply } from 'fastify';
import { writeFault } from '@mms/mm7';

/** Where MMSCs post their DeliveryReportReq (FIXED-POINTS). */
export const DELIVERY_REPORTS_PATH = '/mm7/delivery-reports';

/**
 * Answers an MMSC with a SOAP Fault; the reason goes back to it, so it is kept short. A report we
 * cannot read is the MMSC's fault (400: sending it again will not help); 500 only for our own
 * failures, which an MMSC should retry.
 */
export async function sendFault(reply: FastifyReply, httpStatus: number, code: number, reason: string): Promise<void> {
  await reply
    .status(httpStatus)
    .header('content-type', 'text/xml; charset=utf-8')
    .send(writeFault(undefined, code, reason.length > 200 ? `${reason.slice(0, 200)}...` : reason));
}
