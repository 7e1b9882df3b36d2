import { Injectable } from '@nestjs/common';

export type InjectedFailure = 'status' | 'percent' | 'timeout' | 'drop';

/** Counters for GET /api/stats, zeroed with the inbox (DELETE /api/messages). */
@Injectable()
export class SimulatorStats {
  private counts = zero();

  /** Every request to the MM7 endpoint, whatever became of it. */
  submission(): void {
    this.counts.submissions += 1;
  }

  accepted(repeat: boolean): void {
    this.counts.accepted += 1;
    if (repeat) this.counts.repeats += 1;
  }

  rejected(): void {
    this.counts.rejected += 1;
  }

  unauthorized(): void {
    this.counts.unauthorized += 1;
  }

  injected(kind: InjectedFailure): void {
    this.counts.failuresInjected[kind] += 1;
  }

  deliveryReport(outcome: 'delivered' | 'failed'): void {
    this.counts.deliveryReports[outcome] += 1;
  }

  snapshot() {
    const injected = this.counts.failuresInjected;
    return {
      ...this.counts,
      failuresInjected: { total: injected.status + injected.percent + injected.timeout + injected.drop, ...injected },
      deliveryReports: { ...this.counts.deliveryReports },
    };
  }

  reset(): void {
    this.counts = zero();
  }
}

function zero() {
  return {
    submissions: 0,
    accepted: 0,
    rejected: 0,
    repeats: 0,
    unauthorized: 0,
    failuresInjected: { status: 0, percent: 0, timeout: 0, drop: 0 },
    deliveryReports: { delivered: 0, failed: 0 },
  };
}
