import type { Prisma } from '../generated/prisma/client';
import type { MessageStatus } from '../generated/prisma/enums';

export type Tx = Prisma.TransactionClient;

export interface Transition {
  readonly messageId: number;
  /** Statuses the message may be in for this step to apply. */
  readonly from: readonly MessageStatus[];
  readonly to: MessageStatus;
  readonly detail?: Prisma.InputJsonObject;
  /** Columns set together with the status. */
  readonly set?: Prisma.MessageUpdateManyMutationInput;
}

/**
 * Moves a message to its next status and records the event, inside the caller's transaction.
 * Conditional on the current status, so a job that runs twice records the step once: returns
 * false (and writes nothing) when the message is no longer in one of `from`.
 */
export async function recordTransition(tx: Tx, t: Transition): Promise<boolean> {
  const { count } = await tx.message.updateMany({
    where: { id: t.messageId, status: { in: [...t.from] } },
    data: { ...t.set, status: t.to },
  });
  if (count === 0) return false;
  await tx.messageEvent.create({ data: { messageId: t.messageId, status: t.to, detail: t.detail ?? {} } });
  return true;
}
