import type { PrismaClient } from '../generated/prisma/client';
import { recordTransition } from './message-events';

/**
 * Marks a message FAILED after its job failed for good (a permanent error, or retries exhausted).
 * A message already in a final status is left as it is.
 */
export async function markMessageFailed(
  prisma: PrismaClient,
  trackingId: string,
  stage: string,
  reason: string,
): Promise<boolean> {
  const message = await prisma.message.findUnique({ where: { trackingId }, select: { id: true } });
  if (message === null) return false;
  return prisma.$transaction((tx) =>
    recordTransition(tx, {
      messageId: message.id,
      from: ['ACCEPTED', 'RENDERED'],
      to: 'FAILED',
      detail: { stage, reason },
      set: { failureReason: `${stage}: ${reason}`.slice(0, 1000) },
    }),
  );
}
