import type { JobsOptions } from 'bullmq';
import { JobName, jobIdFor } from '@mms/contracts';

/** Attempts and backoff per job name: the one place that decides how each job is retried. */
const retryPolicy: Readonly<Record<JobName, Pick<JobsOptions, 'attempts' | 'backoff'>>> = {
  [JobName.RenderBarcode]: { attempts: 5, backoff: { type: 'exponential', delay: 1000, jitter: 0.5 } },
  [JobName.SubmitMms]: { attempts: 8, backoff: { type: 'exponential', delay: 2000, jitter: 0.5 } },
};

/**
 * Retention is bounded by count; failed jobs are kept far longer than completed ones so an
 * operator sees them in Bull Board.
 */
const retention: Pick<JobsOptions, 'removeOnComplete' | 'removeOnFail'> = {
  removeOnComplete: { count: 5000 },
  removeOnFail: { count: 50000 },
};

export function jobOptionsFor(name: JobName, trackingId: string): JobsOptions {
  return { jobId: jobIdFor(trackingId), ...retryPolicy[name], ...retention };
}
