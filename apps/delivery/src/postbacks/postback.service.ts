import { Inject, Injectable, Logger } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import { ModuleRef } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { setLogRequestId } from '@mms/config';
import { QueueName, postbackJobId } from '@mms/contracts';
import { FleetCounters } from '@mms/queue';
import { DELIVERY_CONFIG, DeliveryConfig } from '../config/delivery.config';
import { AttemptResult, postOnce } from './postback-http';
import { buildPostbackPayload } from './postback-request';
import { ClaimedPostback, PostbackDue, PostbackRepository } from './postback.repository';

/** What a postback job does next: nothing (the notice is finished), or run again at `inMs`. */
export type PostbackStep = { readonly done: true } | { readonly done: false; readonly inMs: number; readonly why: string };

/** A hold outlasts the request's deadline by this much, so a live attempt is never taken over. */
const HOLD_MARGIN_MS = 5000;
/** A notice waiting on its predecessor looks again at least this often (it is also woken when that one finishes). */
const PREDECESSOR_RECHECK_MS = 30_000;
const MIN_WAIT_MS = 200;

/**
 * Sends one postback job's notice, or says when to try again. The postbacks table decides
 * everything: a finished notice is never sent again (so a job that reruns after its worker died
 * finds it DELIVERED); a notice held by another worker waits for that hold; a notice waits for
 * the earlier notices of its message (N101 before N102) and for its next attempt time; an account
 * that bundles lets notices gather for POSTBACK_BUNDLE_WINDOW_MS and sends its due ones together.
 */
@Injectable()
export class PostbackService {
  private readonly logger = new Logger(PostbackService.name);

  constructor(
    private readonly repository: PostbackRepository,
    private readonly moduleRef: ModuleRef,
    @Inject(DELIVERY_CONFIG) private readonly config: DeliveryConfig,
    private readonly counters: FleetCounters,
  ) {}

  async handle(postbackId: number): Promise<PostbackStep> {
    const due = await this.repository.find(postbackId);
    if (due === null || due.state !== 'PENDING') return { done: true };
    // From here on this job's lines carry the request that made the message.
    setLogRequestId(due.requestId);
    const wait = this.reasonToWait(due);
    if (wait !== undefined) return wait;
    if (due.account.url === null) {
      await this.repository.giveUp(postbackId, 'the account has no postback URL');
      this.logger.warn(`postback ${postbackId} given up: account ${due.account.id} has no postback URL`);
      return { done: true };
    }

    const hold = this.config.POSTBACK_TIMEOUT_MS + HOLD_MARGIN_MS;
    const claimed = due.account.bundle
      ? await this.repository.claim(hold, [], { accountId: due.account.id, limit: this.config.POSTBACK_BUNDLE_MAX })
      : await this.repository.claim(hold, [postbackId]);
    if (claimed.length > 0) await this.attempt(claimed, due);

    // Whatever was claimed (maybe not this very notice, in a bundle race): its state now decides.
    const after = await this.repository.find(postbackId);
    if (after === null || after.state !== 'PENDING') return { done: true };
    return this.reasonToWait(after) ?? { done: false, inMs: MIN_WAIT_MS, why: 'claimed elsewhere' };
  }

  private reasonToWait(due: PostbackDue): PostbackStep | undefined {
    const later = (inMs: number, why: string): PostbackStep => ({ done: false, inMs: Math.max(MIN_WAIT_MS, Math.ceil(inMs)), why });
    if (due.leasedForMs !== null) return later(due.leasedForMs + MIN_WAIT_MS, 'held by another worker');
    if (due.waitsFor !== null) {
      const predecessor = Math.max(due.waitsFor.dueInMs, due.waitsFor.leasedForMs ?? 0);
      return later(Math.min(Math.max(predecessor, 0) + 1000, PREDECESSOR_RECHECK_MS), `after postback ${due.waitsFor.id}`);
    }
    if (due.dueInMs > 0) return later(due.dueInMs, 'next attempt');
    const windowLeft = this.config.POSTBACK_BUNDLE_WINDOW_MS - due.ageMs;
    if (due.account.bundle && windowLeft > 0) return later(windowLeft, 'bundle window');
    return undefined;
  }

  private async attempt(claimed: readonly ClaimedPostback[], due: PostbackDue): Promise<void> {
    const { account } = due;
    const payload = buildPostbackPayload(claimed, account, new Date());
    this.logger.debug(`postback ${claimed.map((c) => `${c.id} ${c.code}`).join(', ')}: POST to ${hostOf(account.url as string)} (${payload.body.length} bytes)`);
    const result: AttemptResult = await postOnce({
      url: account.url as string,
      body: payload.body,
      headers: payload.headers,
      timeoutMs: this.config.POSTBACK_TIMEOUT_MS,
      responseLimitBytes: this.config.POSTBACK_RESPONSE_LIMIT_BYTES,
      allowPrivateNetworks: this.config.POSTBACK_ALLOW_PRIVATE_NETWORKS,
    });
    const settled = await this.repository.settle(claimed, result, {
      retryDelayMs: account.retryDelayMs ?? this.config.POSTBACK_RETRY_DELAY_MS,
      maxAttempts: account.maxAttempts ?? this.config.POSTBACK_MAX_ATTEMPTS,
    });
    await this.counters.add('postback-attempts', [result.outcome]);

    const ids = claimed.map((c) => c.id).join(',');
    if (result.outcome === 'ACKNOWLEDGED') this.logger.log(`postback ${ids} acknowledged in ${result.durationMs} ms`);
    else {
      const givenUp = settled.filter((s) => s.state === 'GIVEN_UP').map((s) => s.id);
      this.logger.warn(
        `postback ${ids} attempt ${claimed[0]?.attempt} failed (${result.outcome}: ${result.error})${givenUp.length > 0 ? `; given up: ${givenUp.join(',')}` : ''}`,
      );
    }
    // The notices that waited for these go now rather than at their next look.
    await this.wake(settled.flatMap((s) => s.next));
  }

  private async wake(postbackIds: readonly number[]): Promise<void> {
    if (postbackIds.length === 0) return;
    const queue = this.moduleRef.get<Queue>(getQueueToken(QueueName.Postback), { strict: false });
    for (const id of postbackIds) {
      try {
        const job = await queue.getJob(postbackJobId(id));
        if (job !== undefined && (await job.isDelayed())) await job.promote();
      } catch (error) {
        // It runs at its own next look anyway.
        this.logger.debug(`postback ${id} not woken: ${String(error)}`);
      }
    }
  }
}

/** Where a postback goes, for logs: the host only (a URL may carry credentials or tokens). */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(not a URL)';
  }
}
