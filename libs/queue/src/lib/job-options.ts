import type { JobsOptions } from 'bullmq';
import { JobName } from '@mms/contracts';

/** Attempts and backoff per job name: the one place that decides how each job is retried. */
const retryPolicy: Readonly<Record<JobName, Pick<JobsOptions, 'attempts' | 'backoff'>>> = {
  // A value that cannot be rendered fails at once (UnrecoverableError): attempts only cover our
  // own faults, and must outlast a database failover (five from 1 s, jitter included, could run
  // out within 10 s: the postgres-outage fault scenario failed a message that way).
  [JobName.RenderBarcode]: { attempts: 8, backoff: { type: 'exponential', delay: 1000, jitter: 0.5 } },
  [JobName.SubmitMms]: { attempts: 8, backoff: { type: 'exponential', delay: 2000, jitter: 0.5 } },
  [JobName.ApplyDeliveryReport]: { attempts: 10, backoff: { type: 'exponential', delay: 1000, jitter: 0.5 } },
  // The partner's answers are retried by the postback worker itself (its schedule is per account,
  // in the postbacks table); these attempts only cover our own faults (the database away).
  [JobName.SendPostback]: { attempts: 12, backoff: { type: 'exponential', delay: 1000, jitter: 0.5 } },
};

/**
 * Retention is bounded by count; failed jobs are kept far longer than completed ones so an
 * operator sees them in Bull Board.
 */
const retention: Pick<JobsOptions, 'removeOnComplete' | 'removeOnFail'> = {
  removeOnComplete: { count: 5000 },
  removeOnFail: { count: 50000 },
};

/** Options for a job; `jobId` from the contracts (jobIdFor / jobIdOf), never made up here. */
export function jobOptionsFor(name: JobName, jobId: string): JobsOptions {
  if (jobId.includes(':')) throw new Error(`job id ${jobId} cannot contain ':'`);
  return { jobId, ...retryPolicy[name], ...retention };
}
