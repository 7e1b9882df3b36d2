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

/** One carrier path: hands a composed message to one MMSC (or the outbox folder). */
export interface MmsTransport {
  submit(mms: ComposedMms): Promise<SubmitResult>;
  close?(): void;
}

/** A submission slot of a route's carrier rate, taken before the message is composed. */
export interface SubmitSlot {
  readonly route: SubmitRoute;
}

/**
 * The port delivery hands composed messages to (MMS_TRANSPORT), one carrier path per route. For a
 * route it tells the carrier's limits (docs/handsets.md) and gives a slot of the carrier's agreed
 * rate; composing waits for the slot, so a job held back by the rate costs no composing, and a
 * message is only submitted with one. limitsFor, takeSlot and submit throw
 * PermanentTransportError for a connector that is not configured; takeSlot throws
 * ConnectorRateLimitedError with the wait when the rate is spent.
 */
export interface RoutedMmsTransport {
  limitsFor(route: SubmitRoute): CarrierLimits;
  takeSlot(route: SubmitRoute): Promise<SubmitSlot>;
  submit(mms: ComposedMms, slot: SubmitSlot): Promise<SubmitResult>;
  close?(): void;
}

export const MMS_TRANSPORT = Symbol('MMS_TRANSPORT');

/** The transport refused the message for good (bad request, bad credentials): no retry helps. */
export class PermanentTransportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentTransportError';
  }
}
