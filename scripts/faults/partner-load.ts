import { performance } from 'node:perf_hooks';
import { FORM_CONTENT_TYPE, PARTNER_API_PATH, readAnswer, sendMmsBarcodeForm } from '../bench/partner-request';

export type Outcome =
  | { readonly kind: 'success'; readonly trackingId: string }
  | { readonly kind: 'refused'; readonly errorCode: string }
  | { readonly kind: 'no-answer'; readonly error: string };

export interface Offered {
  readonly barcodeId: string;
  readonly sentAtMs: number;
  readonly ms: number;
  readonly outcome: Outcome;
}

export interface LoadPlan {
  readonly requests: number;
  readonly perSecond: number;
}

/**
 * The partner's side: the docs' sendMMSBarcode, each request with its own BARCODEID, sent on a
 * fixed schedule whatever the answers (an on-sale does not wait for the gateway), every answer
 * kept. A request nobody answered within 20 s counts as no answer, as a partner's timeout would.
 */
export class PartnerLoad {
  readonly offered: Offered[] = [];
  private readonly started = performance.now();
  private done: Promise<void> | undefined;

  constructor(
    private readonly gatewayOrigin: string,
    private readonly runId: string,
  ) {}

  /** Starts the load; `finished()` resolves once every request has its answer. */
  start(plan: LoadPlan): this {
    this.done = (async () => {
      const inFlight: Promise<void>[] = [];
      const interval = 1000 / plan.perSecond;
      for (let n = 1; n <= plan.requests; n += 1) {
        const due = this.started + (n - 1) * interval;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        inFlight.push(this.send(`Fault_${this.runId}_${n}`));
      }
      await Promise.all(inFlight);
    })();
    return this;
  }

  finished(): Promise<void> {
    return this.done ?? Promise.resolve();
  }

  /** Milliseconds since the load started. */
  elapsed(): number {
    return performance.now() - this.started;
  }

  successes(): string[] {
    return this.offered.flatMap((o) => (o.outcome.kind === 'success' ? [o.outcome.trackingId] : []));
  }

  private async send(barcodeId: string): Promise<void> {
    const sentAtMs = this.elapsed();
    let outcome: Outcome;
    try {
      const response = await fetch(`${this.gatewayOrigin}${PARTNER_API_PATH}`, {
        method: 'POST',
        headers: { 'content-type': FORM_CONTENT_TYPE },
        body: sendMmsBarcodeForm(barcodeId),
        signal: AbortSignal.timeout(20_000),
      });
      const answer = readAnswer(await response.text());
      if (answer.status === 'Success' && answer.trackingId !== undefined) outcome = { kind: 'success', trackingId: answer.trackingId };
      else outcome = { kind: 'refused', errorCode: answer.errorCode ?? `HTTP ${response.status}` };
    } catch (error) {
      outcome = { kind: 'no-answer', error: error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error) };
    }
    this.offered.push({ barcodeId, sentAtMs, ms: this.elapsed() - sentAtMs, outcome });
  }
}
