import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import type { QueueName } from '@mms/contracts';

export const PRODUCED_QUEUES = Symbol('PRODUCED_QUEUES');

/**
 * Listens to the producer queues' connection errors: without a listener BullMQ prints every
 * reconnect failure with console.error. Logs one line per error message per minute instead.
 */
@Injectable()
export class QueueErrorReporter implements OnModuleInit {
  private readonly logger = new Logger('Queues');
  private readonly lastLogged = new Map<string, number>();

  constructor(
    private readonly moduleRef: ModuleRef,
    @Inject(PRODUCED_QUEUES) private readonly queues: readonly QueueName[],
  ) {}

  onModuleInit(): void {
    for (const name of this.queues) {
      const queue = this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
      queue.on('error', (error: Error) => this.report(name, error));
    }
  }

  private report(queue: string, error: Error): void {
    const key = `${queue}:${error.message}`;
    const now = Date.now();
    if (now - (this.lastLogged.get(key) ?? 0) < 60_000) return;
    this.lastLogged.set(key, now);
    this.logger.warn(`queue ${queue}: ${error.message}`);
  }
}

/** Rejects when the promise has not settled in time (the promise itself is left to finish). */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
