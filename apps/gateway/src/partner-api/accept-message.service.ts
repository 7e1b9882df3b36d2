import { Injectable } from '@nestjs/common';
import { Credentials, PartnerApiError, PartnerRequest, PartnerResponse, checkEncodable } from '@mms/contracts';
import { AcceptCommitter } from './accept-committer';
import { AccountCatalog, AccountProfile, TemplateProfile } from './account-catalog';
import { hashApiKey } from './credentials';
import { LegacyPasswords } from './legacy-passwords';
import { LoginThrottle } from './login-throttle';
import { RateLimiter, intervalInSeconds } from './rate-limiter';
import { checkReceiver } from './receiver-number';

const SEND_MMS_BARCODE = 'sendmmsbarcode';

/** Media a template slide may carry (saveMMS: GIF, JPEG, PNG images; audio; video). */
const SUPPORTED_MEDIA = /^(image\/(gif|jpeg|png)|audio\/(amr|mpeg|mp4|aac|3gpp)|video\/(3gpp|mp4|h263))$/;

interface CheckedRequest {
  readonly account: AccountProfile;
  readonly template: TemplateProfile;
  readonly databaseId: number;
  readonly to: string;
  readonly toCountry: string;
  readonly senderCode: string;
  readonly campaignId: number | null;
}

/**
 * The accept use case: authenticate, check the request in the documented precedence
 * (docs/error-precedence.md: the order of the steps below is that table), then commit it: a
 * credit, the message with its first status event and the outbox row that announces it to the
 * barcode queue, in one statement shared with the other requests of the same few milliseconds
 * (AcceptCommitter). The first failing check answers; nothing is written and no credit is taken
 * for a refused request. The checks read the account's configuration from the in-process
 * AccountCatalog, so an accepted request costs no query of its own before the commit.
 */
@Injectable()
export class AcceptMessageService {
  constructor(
    private readonly catalog: AccountCatalog,
    private readonly committer: AcceptCommitter,
    private readonly rateLimiter: RateLimiter,
    private readonly throttle: LoginThrottle,
    private readonly legacyPasswords: LegacyPasswords,
  ) {}

  /**
   * `via` says where the request came from (recorded in the ACCEPTED event): the XML API, or an
   * internal send. `clientAddress`, the partner's address, is what failed logins are counted by
   * (LoginThrottle); internal sends come from our own services and have none.
   */
  async accept(request: PartnerRequest, via = 'partner-api', clientAddress?: string): Promise<PartnerResponse> {
    const checked = await this.check(request, clientAddress);
    const trackingId = await this.record(request, checked, via);
    return { status: 'Success', mmsId: checked.template.id, trackingId, to: checked.to };
  }

  private async check(request: PartnerRequest, clientAddress: string | undefined): Promise<CheckedRequest> {
    // 1. Request form and XML (E100, E108) were settled by the parser.
    // 2. Action.
    if (request.action === undefined || request.action.toLowerCase() !== SEND_MMS_BARCODE) {
      throw new PartnerApiError('E101');
    }
    // 3. Credentials, unless this address (or this key prefix, from an address that failed) is throttled.
    const account = await this.authenticate(request, clientAddress);
    // 4. Account state.
    if (!account.apiActivated || !account.active) throw new PartnerApiError('E109');
    if (!account.apiRights) throw new PartnerApiError('E105');
    if (!account.allowedActions.includes(SEND_MMS_BARCODE)) throw new PartnerApiError('E107');
    // 5. Rate, per account across replicas.
    const verdict = await this.rateLimiter.check({ ...account, accountId: account.id });
    if (verdict === 'too-soon') throw new PartnerApiError('E106', intervalInSeconds(account.minRequestIntervalMs));
    if (verdict === 'over-limit') throw new PartnerApiError('E120');
    // 6. Mandatory fields, in a fixed order. DATABASEID may be left out only where the template
    //    names a default database, so that one is settled with the template.
    if (request.mmsId === undefined) throw new PartnerApiError('E620');
    if (request.to === undefined) throw new PartnerApiError('E621');
    const template = await this.findTemplate(account.id, request.mmsId);
    if (request.databaseId === undefined && template?.defaultDatabaseId == null) throw new PartnerApiError('E630');
    if (request.barcodeId === undefined) throw new PartnerApiError('E631');
    if (request.from === undefined) throw new PartnerApiError('E111');
    // 7. Receiver.
    const receiver = checkReceiver(request.to, account.numberValidation);
    // 8. Sender, with the country rule.
    const senderCode = await this.checkSender(account.id, request.from, receiver.country);
    // 9. Template.
    if (template === null || template.status === 'DISABLED') throw new PartnerApiError('E241');
    if (template.status === 'ENCODING') throw new PartnerApiError('E626');
    const { slides } = template;
    if (slides.some((s) => s.media !== null && s.media !== 'BARCODE' && !SUPPORTED_MEDIA.test(s.mediaContentType ?? ''))) {
      throw new PartnerApiError('E629');
    }
    if (!slides.some((slide) => slide.media === 'BARCODE')) throw new PartnerApiError('E633');
    // CUSTOMTEXT must name a slide of this template.
    const positions = new Set(slides.map((slide) => String(slide.position)));
    if (request.customTexts.some((t) => !positions.has(t.slide))) throw new PartnerApiError('E241');
    // 10. Database, and whether BARCODEID can be encoded in its symbology.
    const databaseId = await this.checkDatabase(account.id, request.databaseId, template.defaultDatabaseId, request.barcodeId);
    // 11. Campaign and subscription.
    const campaignId = await this.checkCampaign(account.id, request.campaignRef, receiver.number);
    // 12. Route to the receiver's country.
    if (!(await this.catalog.hasRoute(receiver.country))) throw new PartnerApiError('E628');
    // 13. Billing comes last, in the accepting statement (record()).
    return { account, template, databaseId, to: receiver.number, toCountry: receiver.country, senderCode, campaignId };
  }

  private async authenticate(request: PartnerRequest, clientAddress: string | undefined): Promise<AccountProfile> {
    const { credentials } = request;
    if (credentials.kind === 'none') throw new PartnerApiError('E102');
    if (credentials.kind === 'legacy' && credentials.passMd5 === undefined) throw new PartnerApiError('E103');
    const attempt = clientAddress === undefined ? undefined : this.throttle.attemptOf(clientAddress, credentials);
    if (attempt !== undefined && (await this.throttle.refuses(attempt))) throw new PartnerApiError('E104');
    const account = await this.verify(credentials);
    if (account === 'busy') throw new PartnerApiError('E104'); // not counted: nothing was checked
    if (account === null) {
      if (attempt !== undefined) await this.throttle.failed(attempt);
      throw new PartnerApiError('E104');
    }
    return account;
  }

  /** The account the credentials belong to, null when they are wrong; 'busy' when too many legacy checks wait. */
  private async verify(credentials: Exclude<Credentials, { kind: 'none' }>): Promise<AccountProfile | null | 'busy'> {
    if (credentials.kind === 'apiKey') {
      // Looked up by digest (a unique index); the key itself is never stored or compared.
      return this.catalog.accountByApiKeyHash(hashApiKey(credentials.apiKey));
    }
    const account = await this.catalog.accountByLegacyUser(credentials.user);
    const usable = account !== null && account.legacyLoginEnabled ? account : null;
    // Every legacy attempt costs one check, an unknown user included (LegacyPasswords).
    const verdict = await this.legacyPasswords.verify({ id: usable?.id ?? 0, stored: usable?.legacyPassMd5 ?? null }, credentials.passMd5 ?? '');
    if (verdict === 'busy') return 'busy';
    return verdict === 'match' ? usable : null;
  }

  /**
   * FROM must be a code of this account. Where TO is in another country than FROM is assigned to,
   * the account's default code for TO's country is used instead; without one, E111.
   */
  private async checkSender(accountId: number, from: string, country: string): Promise<string> {
    const codes = await this.catalog.senderCodesOf(accountId);
    const code = codes.find((c) => c.code === from);
    if (code === undefined) throw new PartnerApiError('E111');
    if (code.country === country) return code.code;
    const fallback = codes.find((c) => c.country === country && c.isDefaultForCountry);
    if (fallback === undefined) throw new PartnerApiError('E111');
    return fallback.code;
  }

  private async findTemplate(accountId: number, mmsId: string): Promise<TemplateProfile | null> {
    const id = parseId(mmsId);
    if (id === null) return null;
    const template = await this.catalog.template(id);
    // Another account's template does not exist, as far as this account can tell.
    return template !== null && template.accountId === accountId ? template : null;
  }

  private async checkDatabase(
    accountId: number,
    given: string | undefined,
    fallback: number | null,
    barcodeId: string,
  ): Promise<number> {
    const id = given === undefined ? fallback : parseId(given);
    if (id === null) throw new PartnerApiError('E632');
    const database = await this.catalog.database(id);
    if (database === null || database.accountId !== accountId) throw new PartnerApiError('E632');
    if (!checkEncodable(database.symbology, barcodeId).ok) throw new PartnerApiError('E634');
    return id;
  }

  private async checkCampaign(accountId: number, campaignRef: string | undefined, to: string): Promise<number | null> {
    if (campaignRef === undefined) return null;
    const id = parseId(campaignRef);
    if (id === null) throw new PartnerApiError('E714');
    const campaign = await this.catalog.campaign(id);
    if (campaign === null || campaign.accountId !== accountId) throw new PartnerApiError('E714');
    if (campaign.requiresSubscription && !(await this.catalog.isSubscribed(id, to))) throw new PartnerApiError('E715');
    return id;
  }

  /**
   * Billing last: the credit is taken only when every other check passed, in the same statement
   * as the message and its outbox row, and only while the account has credits, so concurrent
   * requests (of any number of gateways) can never overspend and a refused request never costs
   * a credit.
   */
  private record(request: PartnerRequest, checked: CheckedRequest, via: string): Promise<string> {
    return this.committer.commit({
      accountId: checked.account.id,
      templateId: checked.template.id,
      databaseId: checked.databaseId,
      barcodeValue: request.barcodeId as string,
      toNumber: checked.to,
      toCountry: checked.toCountry,
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
      via,
    });
  }
}

/** A positive integer id as the API sends it, or null. */
function parseId(text: string): number | null {
  if (!/^[0-9]{1,9}$/.test(text)) return null;
  const id = Number(text);
  return id > 0 ? id : null;
}
