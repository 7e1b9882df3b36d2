import { Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry } from 'prom-client';
import { METRIC_PREFIX, WorkerMetrics } from '@mms/queue';

/** MMStatus values of TS 23.140 (§8.7.5); anything else a carrier sends is counted as `other`. */
const MM_STATUSES = ['Retrieved', 'Expired', 'Rejected', 'Deferred', 'Indeterminate', 'Forwarded', 'Unrecognised', 'DeliveryConditionNotMet'];

/** What applying a delivery report did: moved the message to a final status, recorded it without a change, or found no message. */
export type ReportOutcome = 'final' | 'recorded' | 'unmatched';

/** Delivery's own series, beside the job durations every worker has (docs/observability.md). */
export function registerDeliveryMetrics(registry: Registry) {
  return {
    mm7Submissions: new Counter({
      name: `${METRIC_PREFIX}mm7_submissions_total`,
      help: 'MM7 SubmitReqs by connector and the MMSC status code (1000 accepted, 2xxx/3xxx/4xxx refused; http_401, http_403, no_answer)',
      labelNames: ['connector', 'status_code'] as const,
      registers: [registry],
    }),
    mm7SubmitSeconds: new Histogram({
      name: `${METRIC_PREFIX}mm7_submit_seconds`,
      help: 'Time an MMSC took to answer a SubmitReq, by connector',
      labelNames: ['connector'] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    deliveryReports: new Counter({
      name: `${METRIC_PREFIX}delivery_reports_total`,
      help: 'Carrier delivery reports applied, by MMStatus and what they did (final, recorded, unmatched)',
      labelNames: ['mm_status', 'outcome'] as const,
      registers: [registry],
    }),
  };
}

@Injectable()
export class DeliveryMetrics {
  private readonly series: ReturnType<typeof registerDeliveryMetrics>;

  constructor(worker: WorkerMetrics) {
    this.series = registerDeliveryMetrics(worker.registry);
  }

  /** One SubmitReq's answer: the MMSC's status code (bounded to what MM7 defines), or what stood in for one. */
  submitted(connector: string, statusCode: number | string, seconds: number): void {
    const code = typeof statusCode === 'number' ? (statusCode >= 1000 && statusCode <= 4999 ? String(statusCode) : 'other') : statusCode;
    this.series.mm7Submissions.inc({ connector, status_code: code });
    this.series.mm7SubmitSeconds.observe({ connector }, seconds);
  }

  reportApplied(mmStatus: string, outcome: ReportOutcome): void {
    const known = MM_STATUSES.find((status) => status.toLowerCase() === mmStatus.trim().toLowerCase());
    this.series.deliveryReports.inc({ mm_status: known ?? 'other', outcome });
  }
}
