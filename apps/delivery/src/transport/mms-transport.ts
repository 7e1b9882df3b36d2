import type { ComposedMms } from '../compose/mms';

export interface SubmitResult {
  /** Which transport took it ('outbox', 'mm7:<connector>'). */
  readonly transport: string;
  /** The transport's own reference: the MMSC's MessageID, or the outbox folder. */
  readonly reference: string;
  readonly bytes: number;
}

/** The port delivery hands composed messages to. Adapters are stateless. */
export interface MmsTransport {
  submit(mms: ComposedMms): Promise<SubmitResult>;
}

export const MMS_TRANSPORT = Symbol('MMS_TRANSPORT');

/** The transport refused the message for good (bad request, bad credentials): no retry helps. */
export class PermanentTransportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentTransportError';
  }
}
