import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Pool } from 'pg';
import { setLogRequestId, withLogContext } from '@mms/config';
import { MessageStatus } from '@mms/contracts';
import { PG_POOL, PrismaService, recordEvent, recordTransition, withTransaction } from '@mms/db';
import { FleetCounters, OutboxDispatcher, PermanentJobError } from '@mms/queue';
import { DeliveryMetrics } from '../ops/delivery-metrics';
import { mm7TransportName } from '../transport/mm7/mm7-connector';

/** MM7 MMStatus (TS 23.140) -> our final status; other values are recorded without a change. */
const FINAL_STATUS: Readonly<Record<string, MessageStatus>> = {
  retrieved: MessageStatus.Delivered,
  expired: MessageStatus.Expired,
  rejected: MessageStatus.Rejected,
};

/**
 * Applies a stored delivery report to its message: DELIVERED / EXPIRED / REJECTED, with the
 * handset and carrier detail a partner postback will need; the handset is remembered for the
 * number. The message is looked for among those its connector sent (the connector the gateway
 * authenticated the report as); a report for a MessageID that is not that connector's is marked
 * processed and left unmatched.
 */
@Injectable()
export class DeliveryReportsService {
  private readonly logger = new Logger(DeliveryReportsService.name);

  constructor(
    private readonly prisma: PrismaService,
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly outbox: OutboxDispatcher,
    private readonly counters: FleetCounters,
    private readonly metrics: DeliveryMetrics,
  ) {}

  /**
   * Reports that arrived before their message was recorded SUBMITTED (an MMSC that reports within
   * milliseconds of its SubmitRsp) were kept unmatched: the delivery service calls this right after
   * recording a batch of SUBMITTED steps with the MMSC's MessageIDs, so they are applied after all.
   * One query for the batch, which almost always finds none.
   */
  async applyUnmatchedFor(mmscMessageIds: readonly string[]): Promise<number> {
    if (mmscMessageIds.length === 0) return 0;
    // Plain SQL: once per batch of submits, on the hot path.
    const { rows: early } = await this.pool.query<{ id: number }>({
      name: 'delivery-reports-unmatched',
      text: 'SELECT id FROM delivery_reports WHERE mmsc_message_id = ANY ($1::text[]) AND message_id IS NULL ORDER BY id',
      values: [mmscMessageIds],
    });
    // Each in a log context of its own, which apply fills with its message's request id.
    for (const { id } of early) await withLogContext({}, () => this.apply(id, { retryUnmatched: true }));
    return early.length;
  }

  async apply(reportId: number, options: { retryUnmatched?: boolean } = {}): Promise<{ matched: boolean; status?: MessageStatus }> {
    const report = await this.prisma.deliveryReport.findUnique({ where: { id: reportId } });
    if (report === null) throw new PermanentJobError(`delivery report ${reportId} does not exist`);
    const unmatched = report.processedAt !== null && report.messageId === null;
    if (report.processedAt !== null && !(unmatched && options.retryUnmatched)) return { matched: report.messageId !== null };

    // Only among the messages of the connector whose credentials the report came with: an MMSC
    // cannot touch another carrier's messages by naming their MessageIDs.
    const message = await this.prisma.message.findFirst({ where: { carrierMessageId: report.mmscMessageId, transport: mm7TransportName(report.connector) } });
    if (message === null) {
      await this.prisma.deliveryReport.update({ where: { id: reportId }, data: { processedAt: new Date() } });
      this.metrics.reportApplied(report.mmStatus, 'unmatched');
      this.logger.warn(`delivery report ${reportId}: MMSC message ${report.mmscMessageId} is not one of connector ${report.connector}'s`);
      return { matched: false };
    }
    setLogRequestId(message.requestId);
    const final = FINAL_STATUS[report.mmStatus.toLowerCase()];
    const detail = {
      mmStatus: report.mmStatus,
      statusText: report.statusText,
      handset: report.handset,
      mmscMessageId: report.mmscMessageId,
      reportId,
      reportedAt: report.reportedAt?.toISOString() ?? null,
    };
    const { announced, moved } = await withTransaction(this.pool, async (tx) => {
      const recorded =
        final === undefined
          ? undefined
          : await recordTransition(tx, {
              messageId: message.id,
              from: [MessageStatus.Submitted],
              to: final,
              detail,
              set: { handset: report.handset },
            });
      if (recorded?.moved.has(message.id) !== true) {
        // Deferred, Indeterminate, Forwarded... or a report after a final one: recorded, no change.
        await recordEvent(tx, message.id, message.status, { ...detail, applied: false });
      }
      if (report.handset) {
        await tx.query(
          `INSERT INTO phone_devices (phone, device, source, updated_at) VALUES ($1, $2, 'delivery-report', (now() AT TIME ZONE 'UTC'))
           ON CONFLICT (phone) DO UPDATE SET device = EXCLUDED.device, source = EXCLUDED.source, updated_at = EXCLUDED.updated_at`,
          [message.toNumber, report.handset],
        );
      }
      await tx.query(`UPDATE delivery_reports SET processed_at = (now() AT TIME ZONE 'UTC'), message_id = $2 WHERE id = $1`, [reportId, message.id]);
      return { announced: recorded?.announced ?? [], moved: recorded?.moved.has(message.id) === true };
    });
    this.metrics.reportApplied(report.mmStatus, moved ? 'final' : 'recorded');
    if (moved && final !== undefined) await this.counters.add('final-statuses', [final]);
    this.logger.log(`delivery report ${reportId} (${report.mmStatus}) for ${message.trackingId}: ${moved ? `now ${final}` : 'recorded, status unchanged'}`);
    await this.outbox.dispatch(announced);
    return { matched: true, status: final };
  }
}
