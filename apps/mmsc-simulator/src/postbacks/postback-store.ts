import { Inject, Injectable } from '@nestjs/common';
import { SIMULATOR_CONFIG, SimulatorConfig } from '../config/simulator.config';
import type { PostbackForm } from './postback-body';
import type { PostbackNotice } from './postback-document';
import type { SignatureState } from './postback-signature';

/** One POST /postbacks request that was read (a single notice or a bundle). */
export interface StoredPostback {
  readonly id: number;
  readonly receivedAt: Date;
  readonly form: PostbackForm;
  readonly contentType: string;
  readonly userAgent: string | null;
  readonly idempotencyKey: string | null;
  /** X-Postback-Timestamp and X-Postback-Signature as sent. */
  readonly timestampHeader: string | null;
  readonly signatureHeader: string | null;
  readonly signature: SignatureState;
  /** An earlier request had the same Idempotency-Key (the sender delivered it again). */
  readonly repeat: boolean;
  readonly repeatOf: number | null;
  /** The HTTP status the simulator answered: 200, or postbackStatusCode when set otherwise. */
  readonly answeredStatus: number;
  readonly document: string;
  /** A POSTBACKS document (even with one notice), not a single POSTBACK. */
  readonly bundled: boolean;
  readonly notices: readonly PostbackNotice[];
  readonly warnings: readonly string[];
}

export type NewPostback = Omit<StoredPostback, 'id' | 'repeat' | 'repeatOf'>;

/**
 * The postbacks received: the last MMSC_SIM_POSTBACKS_KEPT requests, in memory, oldest dropped
 * first. Remembers which Idempotency-Keys came, to flag a delivery made again as a repeat.
 */
@Injectable()
export class PostbackStore {
  private readonly records = new Map<number, StoredPostback>();
  /** Idempotency-Key -> id of the first request that had it. */
  private readonly firstWithKey = new Map<string, number>();
  private sequence = 0;
  private readonly kept: number;

  constructor(@Inject(SIMULATOR_CONFIG) config: Pick<SimulatorConfig, 'MMSC_SIM_POSTBACKS_KEPT'>) {
    this.kept = config.MMSC_SIM_POSTBACKS_KEPT;
  }

  /** Ids increase and are never reused, not even after clear(). */
  add(postback: NewPostback): StoredPostback {
    this.sequence += 1;
    const key = postback.idempotencyKey;
    const repeatOf = key === null ? undefined : this.firstWithKey.get(key);
    const record: StoredPostback = { ...postback, id: this.sequence, repeat: repeatOf !== undefined, repeatOf: repeatOf ?? null };
    this.records.set(record.id, record);
    if (key !== null && repeatOf === undefined) {
      this.firstWithKey.set(key, record.id);
      // Bounded too: forget the oldest keys well after their requests are gone.
      if (this.firstWithKey.size > this.kept * 10) this.firstWithKey.delete(this.firstWithKey.keys().next().value as string);
    }
    if (this.records.size > this.kept) this.records.delete(this.records.keys().next().value as number);
    return record;
  }

  /** Newest first. */
  list(): StoredPostback[] {
    return [...this.records.values()].reverse();
  }

  get size(): number {
    return this.records.size;
  }

  clear(): number {
    const cleared = this.records.size;
    this.records.clear();
    this.firstWithKey.clear();
    return cleared;
  }
}

/** The JSON of GET /api/postbacks. */
export function postbackJson(record: StoredPostback) {
  return {
    id: record.id,
    receivedAt: record.receivedAt.toISOString(),
    form: record.form,
    contentType: record.contentType,
    userAgent: record.userAgent,
    idempotencyKey: record.idempotencyKey,
    timestampHeader: record.timestampHeader,
    signatureHeader: record.signatureHeader,
    signature: record.signature,
    repeat: record.repeat,
    repeatOf: record.repeatOf,
    answeredStatus: record.answeredStatus,
    bundled: record.bundled,
    notices: record.notices,
    warnings: record.warnings,
    document: record.document,
  };
}

export type PostbackJson = ReturnType<typeof postbackJson>;
