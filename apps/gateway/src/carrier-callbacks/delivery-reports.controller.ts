import { Controller, Inject, Logger, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { JobName, queueOfJob } from '@mms/contracts';
import { PrismaService } from '@mms/db';
import { InvalidDeliveryReportError, Mm7Status, parseDeliveryReport, writeDeliveryReportRsp, writeFault } from '@mms/mm7';
import { GATEWAY_CONFIG, GatewayConfig } from '../config/gateway.config';
import { OutboxRelay } from '../outbox/outbox.relay';
import { basicAuthMatches } from '../partner-api/credentials';
import { soapEnvelopeOf } from './soap-part';

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
      await reply
        .status(401)
        .header('www-authenticate', 'Basic realm="mm7"')
        .header('content-type', 'text/xml; charset=utf-8')
        .send(writeFault(undefined, Mm7Status.ImproperIdentification, 'Improper identification'));
      return;
    }
    const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    let report;
    try {
      report = parseDeliveryReport(soapEnvelopeOf(body, req.headers['content-type'] ?? ''));
    } catch (error) {
      if (!(error instanceof InvalidDeliveryReportError)) throw error;
      await reply.status(500).header('content-type', 'text/xml; charset=utf-8').send(writeFault(undefined, Mm7Status.ValidationError, error.message));
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
        data: { queue: queueOfJob[JobName.ApplyDeliveryReport], jobName: JobName.ApplyDeliveryReport, jobId: `report-${row.id}`, payload: { reportId: row.id } },
      });
    });
    await this.outbox.dispatchNow(entry);
    this.logger.log(`delivery report ${report.mmStatus} for MMSC message ${report.mmscMessageId}`);
    await reply.status(200).header('content-type', 'text/xml; charset=utf-8').send(writeDeliveryReportRsp(report.transactionId, report.mm7Version));
  }
}
