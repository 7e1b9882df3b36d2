import { Controller, Inject, Logger, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { JobName, QueueName, escapeXml } from '@mms/contracts';
import { PrismaService } from '@mms/db';
import { GATEWAY_CONFIG, GatewayConfig } from '../config/gateway.config';
import { OutboxRelay } from '../outbox/outbox.relay';
import { basicAuthMatches } from '../partner-api/credentials';
import { InvalidDeliveryReportError, parseDeliveryReport, soapEnvelopeOf } from './delivery-report-parser';

const REL6 = { namespace: 'http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4', version: '6.8.0' };
const REL5 = { namespace: 'http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-5-MM7-1-0', version: '5.3.0' };

/** Answer in the release the MMSC spoke (REL-5 MMSCs reject REL-6 answers). */
const releaseOf = (mm7Version: string | undefined) => (mm7Version?.startsWith('5.') ? REL5 : REL6);


/**
 * MM7 DeliveryReportReq from MMSCs (FIXED-POINTS: /mm7/delivery-reports, basic auth). The report
 * is stored and its job written to the outbox in one transaction, then answered with
 * DeliveryReportRsp 1000; the delivery service applies it. A report for a MessageID that is not
 * ours is stored and answered all the same.
 */
@Controller('mm7')
export class DeliveryReportsController {
  private readonly logger = new Logger('DeliveryReports');

  constructor(
    private readonly prisma: PrismaService,
    private readonly outbox: OutboxRelay,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Post('delivery-reports')
  async receive(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const password = this.config.MM7_INBOUND_PASSWORD;
    if (password === undefined || !basicAuthMatches(req.headers.authorization, this.config.MM7_INBOUND_USERNAME, password)) {
      await reply.status(401).header('www-authenticate', 'Basic realm="mm7"').send(fault(undefined, 4001, 'Improper identification'));
      return;
    }
    const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    let report;
    try {
      report = parseDeliveryReport(soapEnvelopeOf(body, req.headers['content-type'] ?? ''));
    } catch (error) {
      if (!(error instanceof InvalidDeliveryReportError)) throw error;
      await reply.status(500).header('content-type', 'text/xml; charset=utf-8').send(fault(undefined, 4004, error.message));
      return;
    }
    const entry = await this.prisma.$transaction(async (tx) => {
      const row = await tx.deliveryReport.create({
        data: {
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
        data: { queue: QueueName.Delivery, jobName: JobName.ApplyDeliveryReport, jobId: `report-${row.id}`, payload: { reportId: row.id } },
      });
    });
    await this.outbox.dispatchNow(entry);
    this.logger.log(`delivery report ${report.mmStatus} for MMSC message ${report.mmscMessageId}`);
    await reply.status(200).header('content-type', 'text/xml; charset=utf-8').send(deliveryReportRsp(report.transactionId, releaseOf(report.mm7Version)));
  }
}

function envelope(transactionId: string | undefined, body: string, namespace = REL6.namespace): string {
  const header =
    transactionId === undefined
      ? ''
      : `  <env:Header>\n    <mm7:TransactionID xmlns:mm7="${namespace}" env:mustUnderstand="1">${escapeXml(transactionId)}</mm7:TransactionID>\n  </env:Header>\n`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/">\n${header}  <env:Body>\n${body}  </env:Body>\n</env:Envelope>\n`;
}

function deliveryReportRsp(transactionId: string | undefined, release: { namespace: string; version: string }): string {
  return envelope(
    transactionId,
    `    <DeliveryReportRsp xmlns="${release.namespace}">\n      <MM7Version>${release.version}</MM7Version>\n      <Status><StatusCode>1000</StatusCode><StatusText>Success</StatusText></Status>\n    </DeliveryReportRsp>\n`,
    release.namespace,
  );
}

function fault(transactionId: string | undefined, code: number, text: string): string {
  return envelope(
    transactionId,
    `    <env:Fault>\n      <faultcode>env:Client</faultcode>\n      <faultstring>${escapeXml(text)}</faultstring>\n      <detail>\n        <RSErrorRsp xmlns="${REL6.namespace}">\n          <MM7Version>6.8.0</MM7Version>\n          <Status><StatusCode>${code}</StatusCode><StatusText>${escapeXml(text)}</StatusText></Status>\n        </RSErrorRsp>\n      </detail>\n    </env:Fault>\n`,
  );
}
