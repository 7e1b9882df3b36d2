import type { ComposedMms } from '../compose/mms';
import type { CarrierLimits } from '../handset/handset-profiles';

export interface SubmitResult {
  /** Which transport took it ('outbox', 'mm7:<connector>'). */
  readonly transport: string;
  /**
   * The transport's own reference: the MMSC's MessageID (null when the MMSC accepted without one:
   * no delivery report can be matched then), or the outbox folder.
   */
  readonly reference: string | null;
  /** Something an operator should know about an accepted submission. */
  readonly warning?: string;
  readonly bytes: number;
}

/** Which carrier path a message takes: the connector its recipient's route names. */
export interface SubmitRoute {
  readonly connector: string;
}

/** The port delivery hands composed messages to. Adapters hold no message state. */
export interface MmsTransport {
  submit(mms: ComposedMms, route?: SubmitRoute): Promise<SubmitResult>;
  close?(): void;
}

/**
 * The transport delivery is given (MMS_TRANSPORT): it also tells, before a message is composed,
 * the limits of the carrier connector a route names (docs/handsets.md). Throws
 * PermanentTransportError for a connector that is not configured, as submit does.
 */
export interface RoutedMmsTransport extends MmsTransport {
  limitsFor(route: SubmitRoute): CarrierLimits;
}

export const MMS_TRANSPORT = Symbol('MMS_TRANSPORT');

/** The transport refused the message for good (bad request, bad credentials): no retry helps. */
export class PermanentTransportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentTransportError';
  }
}
