import { UnrecoverableError } from 'bullmq';
import { InvalidJobPayloadError } from '@mms/contracts';

/**
 * A failure that no retry can mend (bad payload, a message that no longer exists, content that
 * cannot be encoded). Processors turn it into BullMQ's UnrecoverableError; anything else is
 * rethrown so BullMQ retries it with backoff.
 */
export class PermanentJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentJobError';
  }
}

export function sortJobFailure(error: unknown): Error {
  if (error instanceof UnrecoverableError) return error;
  if (error instanceof PermanentJobError || error instanceof InvalidJobPayloadError) {
    return new UnrecoverableError(error.message);
  }
  return error instanceof Error ? error : new Error(String(error));
}
