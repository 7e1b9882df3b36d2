/** A failure the bench explains in words: printed as its message, without a stack trace. */
export class BenchFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchFailure';
  }
}

/**
 * One place that knows the run must stop (a service died, Ctrl-C): every phase is raced against
 * `aborted`, so a wait in progress ends at once with the reason instead of running into its timeout.
 */
export class RunGuard {
  private reason: BenchFailure | undefined;
  private rejectAborted: (reason: BenchFailure) => void = () => undefined;
  readonly aborted: Promise<never>;

  constructor() {
    this.aborted = new Promise<never>((_resolve, reject) => {
      this.rejectAborted = reject;
    });
    // Nobody may be racing against it at the moment it fires; the reason is read from `failure`.
    this.aborted.catch(() => undefined);
  }

  get failure(): BenchFailure | undefined {
    return this.reason;
  }

  abort(message: string): void {
    if (this.reason !== undefined) return;
    this.reason = new BenchFailure(message);
    this.rejectAborted(this.reason);
  }

  /** The work, unless the run is aborted first. */
  run<T>(work: Promise<T>): Promise<T> {
    if (this.reason !== undefined) return Promise.reject(this.reason);
    return Promise.race([work, this.aborted]);
  }

  /** Sleeps, waking early (with the reason) if the run is aborted. */
  sleep(ms: number): Promise<void> {
    return this.run(new Promise<void>((resolve) => setTimeout(resolve, ms)));
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
