import type { JobsOptions } from 'bullmq';

/** How long a send's outcome is kept: the window in which the same idempotency key is the same send. */
export const OUTCOME_KEPT_SECONDS = 24 * 3600;

/**
 * Options of every internal-send job. The job id is the idempotency key (a retried send is the same
 * job). Attempts cover the gateway's own faults (the database away): up to about half an hour of
 * exponential backoff, after which the send is refused E503; a refusal by the checks is a completed
 * job, never retried. A send waiting for a gateway spends no attempts. Completed jobs are kept a day
 * (bounded by count too), failed ones a week, so their outcome can be asked for again.
 */
export function sendJobOptions(jobId: string): JobsOptions {
  if (jobId.includes(':')) throw new Error(`job id ${jobId} cannot contain ':'`);
  return {
    jobId,
    attempts: 12,
    backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
    removeOnComplete: { age: OUTCOME_KEPT_SECONDS, count: 100_000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 50_000 },
  };
}
