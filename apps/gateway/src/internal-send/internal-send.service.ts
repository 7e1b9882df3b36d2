import { Injectable, Logger } from '@nestjs/common';
import { PartnerApiError, SendBarcodeAccepted, SendBarcodeOutcome, SendBarcodeRequest, isErrorCode } from '@mms/contracts';
import { maskPhone } from '@mms/config';
import { PrismaService } from '@mms/db';
import { AcceptMessageService } from '../partner-api/accept-message.service';
import { AccountCatalog } from '../partner-api/account-catalog';
import { hashApiKey } from '../partner-api/credentials';
import { toPartnerRequest } from './to-partner-request';

/** Where a send came from: its job, and whether an earlier attempt of that job may have run. */
export interface SendOrigin {
  readonly jobId: string;
  /** An earlier attempt started (it failed, or its gateway died): it may have accepted already. */
  readonly retried: boolean;
  /** When the send was queued (ms since the epoch). */
  readonly queuedAt: number;
}

/** Clocks of the caller, Redis and PostgreSQL may disagree this much when looking back for an earlier accept. */
const CLOCK_MARGIN_MS = 10 * 60_000;

/**
 * Internal sends through the partner API's accept use case: the same checks in the same
 * precedence, the same credit and group commit, the same tracking ids. A refusal is an outcome,
 * not an error (the job completes with it); anything else is thrown so the job is retried.
 *
 * Exactly once: the ACCEPTED event records `via: internal-send/<job id>`. An attempt that follows
 * another one of the same job first looks for a message that attempt accepted (the commit done,
 * the gateway gone before the job completed) and answers with it instead of accepting again.
 */
@Injectable()
export class InternalSendService {
  private readonly logger = new Logger('InternalSend');

  constructor(
    private readonly acceptMessage: AcceptMessageService,
    private readonly catalog: AccountCatalog,
    private readonly prisma: PrismaService,
  ) {}

  async send(request: SendBarcodeRequest, origin: SendOrigin): Promise<SendBarcodeOutcome> {
    const via = viaOf(origin.jobId);
    const earlier = origin.retried ? await this.acceptedEarlier(request, via, origin.queuedAt) : null;
    if (earlier !== null) {
      this.logger.warn(`${origin.jobId}: accepted as ${earlier.trackingId} by an earlier attempt, not again`);
      return earlier;
    }
    try {
      const response = await this.acceptMessage.accept(toPartnerRequest(request), via);
      // accept() answers failures by throwing; a Failure answer would be refused all the same.
      if (response.status === 'Failure') throw new PartnerApiError(isErrorCode(response.errorCode) ? response.errorCode : 'E503');
      this.logger.log(`${origin.jobId}: accepted ${response.trackingId} to ${maskPhone(response.to)}`);
      return { status: 'accepted', trackingId: response.trackingId, mmsId: response.mmsId, to: response.to };
    } catch (error) {
      if (!(error instanceof PartnerApiError)) throw error;
      this.logger.log(`${origin.jobId}: refused ${error.code}`);
      return { status: 'refused', errorCode: error.code, errorInfo: error.info };
    }
  }

  /**
   * The message an earlier attempt of this job accepted, if any. Only retried jobs ask, so the
   * common path costs nothing; the account's messages since the job was queued (its index) with
   * this barcode value are the ones looked at.
   */
  private async acceptedEarlier(request: SendBarcodeRequest, via: string, queuedAt: number): Promise<SendBarcodeAccepted | null> {
    const { credentials } = request;
    const account =
      'apiKey' in credentials
        ? await this.catalog.accountByApiKeyHash(hashApiKey(credentials.apiKey.trim()))
        : await this.catalog.accountByLegacyUser(credentials.user.trim());
    if (account === null) return null;
    const message = await this.prisma.message.findFirst({
      where: {
        accountId: account.id,
        createdAt: { gte: new Date(queuedAt - CLOCK_MARGIN_MS) },
        barcodeValue: request.barcodeId.trim(),
        events: { some: { status: 'ACCEPTED', detail: { path: ['via'], equals: via } } },
      },
      select: { trackingId: true, templateId: true, toNumber: true },
    });
    return message === null ? null : { status: 'accepted', trackingId: message.trackingId, mmsId: message.templateId, to: message.toNumber };
  }
}

/** What the ACCEPTED event of an internal send records as its origin. */
export function viaOf(jobId: string): string {
  return `internal-send/${jobId}`;
}
