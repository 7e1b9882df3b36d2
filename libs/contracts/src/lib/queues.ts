import { z } from 'zod';

/**
 * Queue names are persisted in Redis keys: renaming one strands the jobs already queued under the
 * old name. Never change a value here without a migration that drains the old queue.
 */
export const QueueName = {
  Barcode: 'barcode',
  Delivery: 'delivery',
  /** Carrier delivery reports: apart from submits, so a submit backlog never delays them. */
  DeliveryReport: 'delivery-report',
  Postback: 'postback',
  /**
   * Sends from our own services (libs/send-client), worked by the gateway's accept use case. Its
   * jobs are named by message pattern and checked by internalSendJobSchema (internal-send.ts).
   */
  InternalSend: 'internal-send',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

export const JobName = {
  RenderBarcode: 'barcode.render',
  SubmitMms: 'delivery.submit',
  ApplyDeliveryReport: 'delivery.report',
  SendPostback: 'postback.send',
} as const;
export type JobName = (typeof JobName)[keyof typeof JobName];

const trackingIdSchema = z.string().regex(/^[A-Za-z0-9+/=_-]{4,64}$/, 'not a tracking id');

/** Runtime schemas: types vanish in Redis, so every payload is checked as it comes off a queue. */
export const jobPayloadSchemas = {
  [JobName.RenderBarcode]: z.object({ trackingId: trackingIdSchema }).strict(),
  [JobName.SubmitMms]: z
    .object({ trackingId: trackingIdSchema, imageKey: z.string().regex(/^[0-9a-f]{64}$/, 'not an image key') })
    .strict(),
  [JobName.ApplyDeliveryReport]: z.object({ reportId: z.number().int().positive() }).strict(),
  [JobName.SendPostback]: z.object({ postbackId: z.number().int().positive() }).strict(),
} as const;

export type JobItem =
  | { name: typeof JobName.RenderBarcode; data: z.infer<(typeof jobPayloadSchemas)['barcode.render']> }
  | { name: typeof JobName.SubmitMms; data: z.infer<(typeof jobPayloadSchemas)['delivery.submit']> }
  | { name: typeof JobName.ApplyDeliveryReport; data: z.infer<(typeof jobPayloadSchemas)['delivery.report']> }
  | { name: typeof JobName.SendPostback; data: z.infer<(typeof jobPayloadSchemas)['postback.send']> };

export type JobOf<N extends JobItem['name']> = Extract<JobItem, { name: N }>['data'];

/** Which queue carries each job: one place, so a producer cannot put a job on the wrong queue. */
export const queueOfJob: { readonly [N in JobName]: QueueName } = {
  [JobName.RenderBarcode]: QueueName.Barcode,
  [JobName.SubmitMms]: QueueName.Delivery,
  [JobName.ApplyDeliveryReport]: QueueName.DeliveryReport,
  [JobName.SendPostback]: QueueName.Postback,
};

export class InvalidJobPayloadError extends Error {
  constructor(jobName: string, issues: string) {
    super(`invalid payload for job ${jobName}: ${issues}`);
    this.name = 'InvalidJobPayloadError';
  }
}

/** Parses a payload taken off Redis; throws InvalidJobPayloadError naming the problem. */
export function parseJobPayload<N extends JobName>(name: N, data: unknown): JobOf<N> {
  const schema = jobPayloadSchemas[name];
  const result = schema.safeParse(data);
  if (!result.success) throw new InvalidJobPayloadError(name, describeIssues(result.error));
  return result.data as JobOf<N>;
}

/** A schema's complaints in one line, each with the path it is about. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

export function isJobName(name: string): name is JobName {
  return Object.prototype.hasOwnProperty.call(jobPayloadSchemas, name);
}

/**
 * The job id of a payload: the tracking id for message jobs, `report-<id>` for delivery reports,
 * `postback-<id>` for postbacks.
 */
export function jobIdOf(payload: JobItem['data']): string {
  if ('trackingId' in payload) return jobIdFor(payload.trackingId);
  return 'reportId' in payload ? `report-${payload.reportId}` : postbackJobId(payload.postbackId);
}

export function postbackJobId(postbackId: number): string {
  return `postback-${postbackId}`;
}

/**
 * BullMQ job ids: the tracking id itself, so a re-enqueue (outbox sweep, retry) of the same
 * message is a no-op while the job is known. Never contains ':' (BullMQ's key separator).
 */
export function jobIdFor(trackingId: string): string {
  if (trackingId.includes(':')) throw new Error(`tracking id ${trackingId} cannot be a job id`);
  return trackingId;
}
