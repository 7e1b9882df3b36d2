import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { JobName, JobOf, jobIdOf, parseJobPayload, queueOfJob } from '@mms/contracts';
import { jobOptionsFor } from './job-options';
import { withTimeout } from './queue-health';

/** BullMQ waits for a connection forever; a producer must not (an HTTP request is waiting). */
const ENQUEUE_TIMEOUT_MS = 2000;

/**
 * The only way the fleet enqueues: the job name picks the queue, the payload is checked against
 * its schema before it leaves the process, and the tracking id is the job id, so enqueueing the
 * same message twice is a no-op while the first job is still known to Redis.
 */
@Injectable()
export class JobProducer {
  constructor(private readonly moduleRef: ModuleRef) {}

  async enqueue<N extends JobName>(name: N, data: JobOf<N>): Promise<string> {
    const payload = parseJobPayload(name, data);
    const queue = this.queueFor(name);
    const jobId = jobIdOf(payload);
    const job = await withTimeout(queue.add(name, payload, jobOptionsFor(name, jobId)), ENQUEUE_TIMEOUT_MS, `enqueue ${name}`);
    return job.id ?? jobId;
  }

  /**
   * Many jobs of one name in one Redis round trip (addBulk), each checked and with its own
   * deterministic id, exactly as enqueue would add them one by one.
   */
  async enqueueMany<N extends JobName>(name: N, data: ReadonlyArray<JobOf<N>>): Promise<void> {
    if (data.length === 0) return;
    const jobs = data.map((item) => {
      const payload = parseJobPayload(name, item);
      return { name, data: payload, opts: jobOptionsFor(name, jobIdOf(payload)) };
    });
    await withTimeout(this.queueFor(name).addBulk(jobs), ENQUEUE_TIMEOUT_MS, `enqueue ${data.length} ${name}`);
  }

  private queueFor(name: JobName): Queue {
    return this.moduleRef.get<Queue>(getQueueToken(queueOfJob[name]), { strict: false });
  }
}
