/** The message lifecycle (DESIGN.md): each transition is stored with its time. */
export const MessageStatus = {
  Accepted: 'ACCEPTED',
  Rendered: 'RENDERED',
  Submitted: 'SUBMITTED',
  Delivered: 'DELIVERED',
  Expired: 'EXPIRED',
  Rejected: 'REJECTED',
  Failed: 'FAILED',
} as const;
export type MessageStatus = (typeof MessageStatus)[keyof typeof MessageStatus];

const order: Record<MessageStatus, number> = {
  ACCEPTED: 0,
  RENDERED: 1,
  SUBMITTED: 2,
  DELIVERED: 3,
  EXPIRED: 3,
  REJECTED: 3,
  FAILED: 3,
};

/** True when a message in `current` has already gone through `step` (so a rerun must not redo it). */
export function hasReached(current: MessageStatus, step: MessageStatus): boolean {
  return order[current] >= order[step];
}

export function isFinal(status: MessageStatus): boolean {
  return order[status] === 3;
}
