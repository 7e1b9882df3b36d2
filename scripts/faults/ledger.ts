import type { FaultWorld } from './fault-world';
import type { PostbackReceiver } from './postback-receiver';

/** What the MMSC simulator recorded of one SubmitReq (GET /api/messages). */
export interface SimulatorMessage {
  readonly transactionId: string | null;
  readonly status: 'accepted' | 'rejected';
  readonly statusCode?: number;
}

interface StoredMessage {
  readonly tracking_id: string;
  readonly status: string;
  readonly failure_reason: string | null;
}

interface StoredPostback {
  readonly tracking_id: string;
  readonly code: string;
  readonly state: string;
}

/** Statuses a message leaves only through a carrier's report, or never. */
const SETTLED = new Set(['SUBMITTED', 'DELIVERED', 'EXPIRED', 'REJECTED', 'FAILED']);

export interface Reconciliation {
  /** Success answers the partner received. */
  readonly accepted: number;
  /** Messages in PostgreSQL (more than accepted when a Success was lost with its connection). */
  readonly stored: number;
  /** Accepted messages the MMSC took at least once. */
  readonly submitted: number;
  /** Accepted messages that ended FAILED (with their E101). */
  readonly failed: number;
  /** Accepted messages neither taken by the MMSC nor FAILED, or not in PostgreSQL at all. */
  readonly lost: number;
  /** SubmitReqs the MMSC took again for a TransactionID it already had. */
  readonly duplicates: number;
  /** Stored messages that never answered Success and are still not settled (no one can tell their partner). */
  readonly unsettled: number;
  readonly postbacksExpected: number;
  readonly postbacksReceived: number;
  readonly postbacksMissing: number;
  /** Messages whose notices arrived out of order (N101 after its N102 or E101). */
  readonly postbacksOutOfOrder: number;
  /** The first few lost tracking ids with their status, for the report. */
  readonly examples: readonly string[];
}

/**
 * The four ledgers of a scenario, reconciled: the partner's Success answers, the messages in
 * PostgreSQL, the SubmitReqs the MMSC simulator took (by TransactionID, which is the tracking id)
 * and the postbacks the receiver got.
 */
export async function reconcile(world: FaultWorld, simulatorOrigin: string, receiver: PostbackReceiver, accepted: readonly string[]): Promise<Reconciliation> {
  const [messages, postbacks, taken] = await Promise.all([
    world.query<StoredMessage>('SELECT tracking_id, status, failure_reason FROM messages'),
    world.query<StoredPostback>(
      `SELECT m.tracking_id, p.code, p.state FROM postbacks p JOIN messages m ON m.id = p.message_id ORDER BY p.id`,
    ),
    simulatorTakes(simulatorOrigin),
  ]);
  const byTracking = new Map(messages.map((m) => [m.tracking_id, m]));
  let submitted = 0;
  let failed = 0;
  const lostOnes: string[] = [];
  for (const trackingId of accepted) {
    const message = byTracking.get(trackingId);
    if ((taken.get(trackingId) ?? 0) > 0) submitted += 1;
    else if (message?.status === 'FAILED') failed += 1;
    else lostOnes.push(`${trackingId} (${message === undefined ? 'not in PostgreSQL' : message.status})`);
  }
  const acceptedSet = new Set(accepted);
  const unsettled = messages.filter((m) => !acceptedSet.has(m.tracking_id) && !SETTLED.has(m.status) && (taken.get(m.tracking_id) ?? 0) === 0).length;
  const duplicates = [...taken.values()].reduce((sum, count) => sum + Math.max(0, count - 1), 0);

  const received = receiver.byMessage();
  const expected = postbacks.filter((p) => acceptedSet.has(p.tracking_id));
  const missing = expected.filter((p) => !(received.get(p.tracking_id) ?? []).includes(p.code)).length;
  let outOfOrder = 0;
  for (const codes of received.values()) {
    const first = codes.indexOf('N101');
    if (first > 0 && codes.slice(0, first).some((code) => code === 'N102' || code === 'E101')) outOfOrder += 1;
  }
  return {
    accepted: accepted.length,
    stored: messages.length,
    submitted,
    failed,
    lost: lostOnes.length,
    duplicates,
    unsettled,
    postbacksExpected: expected.length,
    postbacksReceived: expected.length - missing,
    postbacksMissing: missing,
    postbacksOutOfOrder: outOfOrder,
    examples: lostOnes.slice(0, 5),
  };
}

/**
 * Whether everything the fleet owes has happened: every stored message settled (taken by the
 * MMSC, or FAILED) and no notice still pending.
 */
export async function settled(world: FaultWorld, simulatorOrigin: string): Promise<{ done: boolean; waiting: string; fingerprint: string }> {
  const [statuses, pending, notices, taken] = await Promise.all([
    world.query<{ status: string; n: string }>('SELECT status, count(*) AS n FROM messages GROUP BY status ORDER BY status'),
    world.query<{ n: string }>(`SELECT count(*) AS n FROM postbacks WHERE state = 'PENDING'`),
    world.query<{ n: string }>('SELECT count(*) AS n FROM postbacks'),
    simulatorTakes(simulatorOrigin),
  ]);
  const inFlight = statuses.filter((s) => !SETTLED.has(s.status)).reduce((sum, s) => sum + Number(s.n), 0);
  const notTaken = await world.query<{ n: string }>(
    `SELECT count(*) AS n FROM messages WHERE status IN ('SUBMITTED','DELIVERED','EXPIRED','REJECTED') AND NOT (tracking_id = ANY($1::text[]))`,
    [[...taken.keys()]],
  );
  const pendingNotices = Number(pending[0]?.n ?? 0);
  const waiting = `${inFlight} message(s) in flight, ${Number(notTaken[0]?.n ?? 0)} recorded sent but not at the MMSC, ${pendingNotices} postback(s) pending`;
  // Delivery reports keep coming after every message settled (each one a new N102): the
  // scenario is over when nothing has changed for a while, not at the first quiet look.
  const fingerprint = `${statuses.map((s) => `${s.status}=${s.n}`).join(',')};notices=${notices[0]?.n ?? 0}`;
  return { done: inFlight === 0 && pendingNotices === 0 && Number(notTaken[0]?.n ?? 0) === 0, waiting, fingerprint };
}

/** The SubmitReqs the simulator took (`accepted`) or refused (`rejected`). */
export async function simulatorMessages(origin: string, status: SimulatorMessage['status']): Promise<SimulatorMessage[]> {
  const response = await fetch(`${origin}/api/messages?status=${status}`, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`the MMSC simulator's /api/messages answered HTTP ${response.status}`);
  return (await response.json()) as SimulatorMessage[];
}

/** SubmitReqs the simulator accepted, counted per TransactionID. */
export async function simulatorTakes(origin: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const message of await simulatorMessages(origin, 'accepted')) {
    if (message.transactionId !== null) counts.set(message.transactionId, (counts.get(message.transactionId) ?? 0) + 1);
  }
  return counts;
}

export function summaryLine(name: string, r: Reconciliation): string {
  return (
    `${name}: accepted=${r.accepted} submitted=${r.submitted} lost=${r.lost} duplicates=${r.duplicates} failed=${r.failed}` +
    ` stored=${r.stored} postbacks=${r.postbacksReceived}/${r.postbacksExpected} postbacks_out_of_order=${r.postbacksOutOfOrder}`
  );
}
