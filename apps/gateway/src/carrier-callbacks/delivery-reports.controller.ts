import { Controller, Inject, Logger, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { JobName, queueOfJob } from '@mms/contracts';
import { PrismaService } from '@mms/db';
import { DeliveryReportFields, InvalidDeliveryReportError, Mm7Status, parseDeliveryReport, writeDeliveryReportRsp } from '@mms/mm7';
import { GATEWAY_CONFIG, GatewayConfig } from '../config/gateway.config';
import { OutboxRelay } from '../outbox/outbox.relay';
import { basicAuthOf } from '../partner-api/credentials';
import { LoginThrottle } from '../partner-api/login-throttle';
import { sendFault } from './fault-reply';
import { InboundCredential, connectorAuthenticatedBy, inboundCredentialsOf } from './inbound-credentials';
import { soapEnvelopeOf } from './soap-part';

// XML 1.0 (2.2, Char): C0 controls other than tab, LF and CR are no characters (and PostgreSQL
// text cannot hold NUL).
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\x00-\x08\x0B\x0C\x0E-\x1F]/;
/** Far above any MMSC's MessageID (tens of characters), below what its index holds (2,704 bytes). */
const MAX_MESSAGE_ID_LENGTH = 512;

/**
 * MM7 DeliveryReportReq from MMSCs (FIXED-POINTS: /mm7/delivery-reports, basic auth). Each
 * connector's MMSC has credentials of its own (inbound-credentials.ts); the report is stored
 * with the connector they name, and its job written to the outbox in one transaction, then
 * answered with DeliveryReportRsp 1000; the delivery service applies it, to a message of that
 * connector only. A report for a MessageID that is not ours is stored and answered all the same.
 *
 * Whatever arrives is answered with an MM7 document: a report we cannot read gets a SOAP Fault
 * (4004, env:Client), one we could not take because our side failed gets a Fault too (3000,
 * env:Server, so the MMSC sends it again), both with HTTP 500 as SOAP 1.1 §6.2 wants; wrong
 * credentials get 401 with a Fault (4001). Never an HTML or JSON error page.
 */
@Controller('mm7')
export class DeliveryReportsController {
  private readonly logger = new Logger('DeliveryReports');
  private readonly credentials: readonly InboundCredential[];

  constructor(
    private readonly prisma: PrismaService,
    private readonly outbox: OutboxRelay,
    private readonly throttle: LoginThrottle,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.credentials = inboundCredentialsOf(config);
  }

  @Post('delivery-reports')
  async receive(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    try {
      await this.take(req, reply);
    } catch (error) {
      this.logger.error(`delivery report not taken: ${error instanceof Error ? error.stack : String(error)}`);
      if (!reply.sent) await sendFault(reply, 500, Mm7Status.ServerError, 'Server error: the report was not taken, send it again later');
    }
  }

  private async take(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    // Wrong passwords are counted as the partner API's wrong keys are (LoginThrottle): an address
    // or a user name past its limit is refused unchecked. A request without credentials (an MMSC
    // asking for the challenge first) is not a guess.
    const username = basicAuthOf(req.headers.authorization)?.username;
    const attempt = username === undefined ? undefined : this.throttle.basicAuthAttemptOf(req.ip, username);
    const refused = attempt !== undefined && (await this.throttle.refuses(attempt));
    const connector = refused ? undefined : connectorAuthenticatedBy(req.headers.authorization, this.credentials);
    if (connector === undefined) {
      if (attempt !== undefined && !refused) await this.throttle.failed(attempt);
      reply.header('www-authenticate', 'Basic realm="mm7"');
      await sendFault(reply, 401, Mm7Status.ImproperIdentification, 'Improper identification');
      return;
    }
    let report;
    try {
      const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
      report = storableReport(soapEnvelopeOf(body, req.headers['content-type'] ?? ''));
    } catch (error) {
      if (!(error instanceof InvalidDeliveryReportError)) throw error;
      await sendFault(reply, 400, Mm7Status.ValidationError, error.message);
      return;
    }
    const entry = await this.prisma.$transaction(async (tx) => {
      const row = await tx.deliveryReport.create({
        data: {
          connector,
          transactionId: report.transactionId ?? null,
          mmscMessageId: report.mmscMessageId,
          recipient: report.recipient ?? null,
          sender: report.sender ?? null,
          mmStatus: report.mmStatus,
          statusText: report.statusText ?? null,
          handset: report.handset ?? null,
          reportedAt: report.reportedAt ?? null,
        },
      });
      return tx.outboxEntry.create({
        data: { queue: queueOfJob[JobName.ApplyDeliveryReport], jobName: JobName.ApplyDeliveryReport, jobId: `report-${row.id}`, payload: { reportId: row.id } },
      });
    });
    await this.outbox.dispatchNow(entry);
    this.logger.log(`delivery report ${report.mmStatus} for MMSC message ${report.mmscMessageId} (connector ${connector})`);
    await reply.status(200).header('content-type', 'text/xml; charset=utf-8').send(writeDeliveryReportRsp(report.transactionId, report.mm7Version));
  }
}

/**
 * The report of an envelope, as the database can hold it: one it cannot is the MMSC's fault
 * (InvalidDeliveryReportError, 400), not a database error answered 500, which the MMSC would
 * send again and again.
 */
function storableReport(envelope: string): DeliveryReportFields {
  if (CONTROL_CHARACTER.test(envelope)) throw new InvalidDeliveryReportError('control characters are not allowed');
  const report = parseDeliveryReport(envelope);
  if (report.mmscMessageId.length > MAX_MESSAGE_ID_LENGTH) throw new InvalidDeliveryReportError(`MessageID is longer than ${MAX_MESSAGE_ID_LENGTH} characters`);
  // A Date before year 1 (PostgreSQL's range, as Prisma writes it) is no date, like an unreadable one.
  const year = report.reportedAt?.getUTCFullYear();
  return year !== undefined && year < 1 ? { ...report, reportedAt: undefined } : report;
}
