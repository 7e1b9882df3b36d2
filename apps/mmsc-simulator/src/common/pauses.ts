import { Injectable, OnModuleDestroy } from '@nestjs/common';

/**
 * Waits that shutdown cuts short: an answer held back for an injected timeout must not keep the
 * process (or a test's app.close()) waiting for minutes.
 */
@Injectable()
export class Pauses implements OnModuleDestroy {
  private readonly pending = new Map<NodeJS.Timeout, () => void>();

  wait(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        resolve();
      }, ms);
      this.pending.set(timer, resolve);
    });
  }

  onModuleDestroy(): void {
    for (const [timer, resolve] of this.pending) {
      clearTimeout(timer);
      resolve();
    }
    this.pending.clear();
  }
}
