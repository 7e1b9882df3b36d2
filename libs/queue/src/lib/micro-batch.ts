import { outsideLogContext } from '@mms/config';

export interface MicroBatchOptions {
  /** A batch runs at once when this many calls wait (default 100). */
  readonly maxBatch?: number;
  /**
   * How long a call may wait for others to join it: 0 (default) runs the batch once the calls
   * made in the current turn of the event loop are in (setImmediate); more waits that many ms.
   */
  readonly maxWaitMs?: number;
  /**
   * Batches running at once (default 1). While they run, new calls gather into the next batch:
   * the busier the process, the larger the batches (group commit).
   */
  readonly maxInFlight?: number;
}

interface Pending<I, O> {
  readonly item: I;
  readonly resolve: (value: O) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Collects calls made at about the same time (a worker's concurrent jobs) and runs one function
 * for all of them: one statement or one round trip instead of one per call. Each caller gets its
 * own result; when the batch function throws, every caller of that batch gets the error (each
 * job then fails or retries on its own, as if it had run alone).
 *
 * The batch runs outside the callers' log contexts (it is no one caller's work); each caller
 * resumes in its own when its result comes.
 *
 * `run` gets the items in call order and must return one result per item, in the same order.
 */
export class MicroBatcher<I, O> {
  private pending: Array<Pending<I, O>> = [];
  private scheduled = false;
  private inFlight = 0;
  private readonly maxBatch: number;
  private readonly maxWaitMs: number;
  private readonly maxInFlight: number;

  constructor(
    private readonly run: (items: readonly I[]) => Promise<readonly O[]>,
    options: MicroBatchOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 100;
    this.maxWaitMs = options.maxWaitMs ?? 0;
    this.maxInFlight = options.maxInFlight ?? 1;
    if (!(this.maxBatch >= 1) || !(this.maxWaitMs >= 0) || !(this.maxInFlight >= 1)) throw new Error('MicroBatcher: bad options');
  }

  call(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.maxBatch) this.flush();
      else this.schedule();
    });
  }

  /** Calls waiting for a batch (not those running). */
  get waiting(): number {
    return this.pending.length;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const fire = () => {
      this.scheduled = false;
      this.flush();
    };
    if (this.maxWaitMs === 0) setImmediate(fire);
    else setTimeout(fire, this.maxWaitMs);
  }

  private flush(): void {
    while (this.pending.length > 0 && this.inFlight < this.maxInFlight) {
      const batch = this.pending.splice(0, this.maxBatch);
      this.inFlight += 1;
      // A batch works for all its callers: its log lines carry none of their request ids.
      void outsideLogContext(() => this.execute(batch)).finally(() => {
        this.inFlight -= 1;
        // Calls that came while this batch ran go now, without waiting another turn.
        this.flush();
      });
    }
  }

  private async execute(batch: ReadonlyArray<Pending<I, O>>): Promise<void> {
    let results: readonly O[];
    try {
      results = await this.run(batch.map((p) => p.item));
      if (results.length !== batch.length) throw new Error(`MicroBatcher: ${results.length} results for ${batch.length} calls`);
    } catch (error) {
      for (const p of batch) p.reject(error);
      return;
    }
    batch.forEach((p, index) => p.resolve(results[index] as O));
  }
}
