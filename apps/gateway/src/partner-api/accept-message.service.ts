import { Injectable } from '@nestjs/common';
import {
  JobName,
  MessageStatus,
  PartnerApiError,
  PartnerRequest,
  PartnerResponse,
  QueueName,
  jobIdFor,
  trackingIdOf,
} from '@mms/contracts';
import { Account, MmsTemplate, PrismaService } from '@mms/db';
import { OutboxRelay } from '../outbox/outbox.relay';
import { hashApiKey, sameSecret } from './credentials';

const SEND_MMS_BARCODE = 'sendmmsbarcode';

/** TO as the API wants it: international digits, no `+` or `00`. */
const INTERNATIONAL_NUMBER = /^[1-9][0-9]{6,14}$/;

interface CheckedRequest {
  readonly account: Account;
  readonly template: MmsTemplate;
  readonly databaseId: number;
  readonly to: string;
  readonly senderCode: string;
  readonly campaignId: number | null;
}

/**
 * The accept use case: authenticate, check the request in the documented precedence (see
 * docs/error-precedence.md), then in one transaction reserve a credit, record the message with
 * its first status event and write the outbox row that announces it to the barcode queue.
 * The first failing check answers; nothing is written for a refused request.
 */
@Injectable()
export class AcceptMessageService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly outbox: OutboxRelay,
  ) {}

  async accept(request: PartnerRequest): Promise<PartnerResponse> {
    const checked = await this.check(request);
    const trackingId = await this.record(request, checked);
    return { status: 'Success', mmsId: checked.template.id, trackingId, to: checked.to };
  }

  private async check(request: PartnerRequest): Promise<CheckedRequest> {
    // 1. Action.
    if (request.action === undefined || request.action.toLowerCase() !== SEND_MMS_BARCODE) {
      throw new PartnerApiError('E101');
    }
    // 2. Credentials.
    const account = await this.authenticate(request);
    // 3. Account state.
    if (!account.apiActivated || account.status !== 'ACTIVE') throw new PartnerApiError('E109');
    if (!account.apiRights) throw new PartnerApiError('E105');
    if (!account.allowedActions.includes(SEND_MMS_BARCODE)) throw new PartnerApiError('E107');
    // 4. Mandatory fields, in a fixed order. DATABASEID may be left out only where the template
    //    names a default database, so that one is settled with the template below.
    if (request.mmsId === undefined) throw new PartnerApiError('E620');
    if (request.to === undefined) throw new PartnerApiError('E621');
    const template = await this.findTemplate(account.id, request.mmsId);
    if (request.databaseId === undefined && template?.defaultDatabaseId == null) throw new PartnerApiError('E630');
    if (request.barcodeId === undefined) throw new PartnerApiError('E631');
    if (request.from === undefined) throw new PartnerApiError('E111');
    // 5. Values: receiver, sender, template, database, campaign.
    const to = this.checkReceiver(request.to);
    const senderCode = await this.checkSender(account.id, request.from);
    if (template === null) throw new PartnerApiError('E241');
    if (template.status === 'ENCODING') throw new PartnerApiError('E626');
    if (template.status !== 'READY') throw new PartnerApiError('E241');
    const slides = await this.prisma.templateSlide.findMany({ where: { templateId: template.id } });
    if (!slides.some((slide) => slide.media === 'BARCODE')) throw new PartnerApiError('E633');
    const databaseId = await this.checkDatabase(account.id, request.databaseId, template.defaultDatabaseId);
    const campaignId = await this.checkCampaign(account.id, request.campaignRef, to);
    return { account, template, databaseId, to, senderCode, campaignId };
  }

  private async authenticate(request: PartnerRequest): Promise<Account> {
    const { credentials } = request;
    if (credentials.kind === 'none') throw new PartnerApiError('E102');
    if (credentials.kind === 'apiKey') {
      const key = await this.prisma.apiKey.findUnique({
        where: { keyHash: hashApiKey(credentials.apiKey) },
        include: { account: true },
      });
      if (key === null || key.revokedAt !== null) throw new PartnerApiError('E104');
      return key.account;
    }
    if (credentials.passMd5 === undefined) throw new PartnerApiError('E103');
    const account = await this.prisma.account.findUnique({ where: { legacyUser: credentials.user } });
    if (
      account === null ||
      !account.legacyLoginEnabled ||
      account.legacyPassMd5 === null ||
      !sameSecret(account.legacyPassMd5.toLowerCase(), credentials.passMd5.toLowerCase())
    ) {
      throw new PartnerApiError('E104');
    }
    return account;
  }

  private checkReceiver(to: string): string {
    const numbers = to.split(',').map((n) => n.trim()).filter((n) => n !== '');
    if (numbers.length > 100) throw new PartnerApiError('E623');
    // One BARCODEID identifies one holder: any list is refused.
    if (numbers.length !== 1 || !INTERNATIONAL_NUMBER.test(numbers[0] ?? '')) throw new PartnerApiError('E110');
    return numbers[0] as string;
  }

  private async checkSender(accountId: number, from: string): Promise<string> {
    const code = await this.prisma.senderCode.findUnique({ where: { accountId_code: { accountId, code: from } } });
    if (code === null) throw new PartnerApiError('E111');
    return code.code;
  }

  private async findTemplate(accountId: number, mmsId: string): Promise<MmsTemplate | null> {
    const id = parseId(mmsId);
    if (id === null) return null;
    const template = await this.prisma.mmsTemplate.findUnique({ where: { id } });
    // Another account's template does not exist, as far as this account can tell.
    return template !== null && template.accountId === accountId ? template : null;
  }

  private async checkDatabase(accountId: number, given: string | undefined, fallback: number | null): Promise<number> {
    const id = given === undefined ? fallback : parseId(given);
    if (id === null) throw new PartnerApiError('E632');
    const database = await this.prisma.barcodeDatabase.findUnique({ where: { id }, select: { accountId: true } });
    if (database === null || database.accountId !== accountId) throw new PartnerApiError('E632');
    return id;
  }

  private async checkCampaign(accountId: number, campaignRef: string | undefined, to: string): Promise<number | null> {
    if (campaignRef === undefined) return null;
    const id = parseId(campaignRef);
    if (id === null) throw new PartnerApiError('E714');
    const campaign = await this.prisma.campaign.findUnique({ where: { id } });
    if (campaign === null || campaign.accountId !== accountId) throw new PartnerApiError('E714');
    if (campaign.requiresSubscription) {
      const subscription = await this.prisma.subscription.findUnique({
        where: { campaignId_phone: { campaignId: id, phone: to } },
      });
      if (subscription === null || subscription.unsubscribedAt !== null) throw new PartnerApiError('E715');
    }
    return id;
  }

  /**
   * Billing last: the credit is taken only when every other check passed, in the same
   * transaction as the message and its outbox row, and conditionally (credits > 0), so two
   * concurrent requests can never overspend and a refused request never costs a credit.
   */
  private async record(request: PartnerRequest, checked: CheckedRequest): Promise<string> {
    const entry = await this.prisma.$transaction(async (tx) => {
      const charged = await tx.account.updateMany({
        where: { id: checked.account.id, credits: { gt: 0 } },
        data: { credits: { decrement: 1 } },
      });
      if (charged.count === 0) throw new PartnerApiError('E713');

      const [{ id }] = await tx.$queryRaw<[{ id: bigint }]>`SELECT nextval(pg_get_serial_sequence('messages', 'id')) AS id`;
      const messageId = Number(id);
      const trackingId = trackingIdOf(messageId);
      await tx.message.create({
        data: {
          id: messageId,
          trackingId,
          accountId: checked.account.id,
          templateId: checked.template.id,
          databaseId: checked.databaseId,
          barcodeValue: request.barcodeId as string,
          toNumber: checked.to,
          requestedFrom: request.from as string,
          senderCode: checked.senderCode,
          campaignId: checked.campaignId,
          customSubject: request.customSubject ?? null,
          customTexts: request.customTexts.map((t) => ({ slide: t.slide, value: t.value })),
          mergeData: { ...request.data },
          device: request.device ?? null,
          ddmTitle: request.ddmTitle ?? null,
          ddmText: request.ddmText ?? null,
          ddmTimeoutMinutes: request.ddmTimeout === undefined ? null : parseId(request.ddmTimeout),
          status: MessageStatus.Accepted,
          events: { create: { status: MessageStatus.Accepted, detail: { via: 'partner-api' } } },
        },
      });
      return tx.outboxEntry.create({
        data: {
          queue: QueueName.Barcode,
          jobName: JobName.RenderBarcode,
          jobId: jobIdFor(trackingId),
          payload: { trackingId },
        },
      });
    });
    // After the commit: hand the job to Redis now; if that fails the sweeper retries it.
    await this.outbox.dispatchNow(entry);
    return entry.jobId;
  }
}

/** A positive integer id as the API sends it, or null. */
function parseId(text: string): number | null {
  if (!/^[0-9]{1,9}$/.test(text)) return null;
  const id = Number(text);
  return id > 0 ? id : null;
}
