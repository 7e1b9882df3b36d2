/**
 * A background pass run every `everyMs` and on demand, never two at once in this process (a call
 * while one runs gets that run's result), stopped by waiting for the run in flight. The gateway's
 * outbox sweeper and stuck-message reconciler, and the postback reconciler, are each one.
 */
export class PeriodicPass {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly everyMs: number,
    private readonly pass: () => Promise<number>,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.runOnce(), this.everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  runOnce(): Promise<number> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }
}
