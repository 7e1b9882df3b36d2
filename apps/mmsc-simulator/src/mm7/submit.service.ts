import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { maskPhone } from '@mms/config';
import { SIMULATOR_CONFIG, SimulatorConfig } from '../config/simulator.config';
import { Presentation, presentationOf } from '../content/presentation';
import { formatMediaType } from '../mime/media-type';
import { DeliveryReporter } from '../reports/delivery-reporter';
import { RuntimeSettings, SimulatorSettings } from '../settings/simulator-settings';
import { MessageStore } from '../store/message-store';
import { SimulatorStats } from '../store/simulator-stats';
import { StoredMessage, StoredPart } from '../store/stored-message';
import { DEFAULT_MM7_NAMESPACE, DEFAULT_MM7_VERSION, mm7Release, statusText } from './mm7-constants';
import { Mm7Target, faultCodeFor, rsErrorFault, submitRsp } from './mm7-writer';
import { SubmitReading, SubmitRequestInput, decodeText, readSubmitRequest } from './submit-request.reader';
import { Mm7Issue } from './submit-req.validator';

export const IMPROPER_IDENTIFICATION = 4001;

export interface Mm7Request extends SubmitRequestInput {
  readonly authorization: string | undefined;
}

/** What the controller does with the connection. */
export type Mm7Answer =
  | { readonly kind: 'drop' }
  | {
      readonly kind: 'reply';
      readonly httpStatus: number;
      readonly headers: Readonly<Record<string, string>>;
      readonly body: string;
      /** Hold the answer this long first (injected latency and timeout). */
      readonly holdMs: number;
    };

/**
 * The MMSC's side of MM7_submit (TS 23.140 §8.7.1): authenticate the VASP, read and validate the
 * SubmitReq, apply the injected failures, store the message, answer SubmitRsp (or a SOAP Fault
 * with RSErrorRsp), and plan the delivery reports.
 */
@Injectable()
export class SubmitService {
  private readonly logger = new Logger('Mm7Submit');
  private messageSequence = 0;

  constructor(
    @Inject(SIMULATOR_CONFIG) private readonly config: SimulatorConfig,
    private readonly settings: SimulatorSettings,
    private readonly store: MessageStore,
    private readonly stats: SimulatorStats,
    private readonly reporter: DeliveryReporter,
  ) {}

  handle(request: Mm7Request): Mm7Answer {
    const settings = this.settings.get();
    this.stats.submission();
    if (chance(settings.dropPercent)) {
      this.stats.injected('drop');
      this.logger.log('dropping the connection (injected)');
      return { kind: 'drop' };
    }
    if (!this.authorized(request.authorization)) {
      this.stats.unauthorized();
      const body = rsErrorFault(defaultTarget(), null, { code: IMPROPER_IDENTIFICATION, details: 'HTTP basic authentication failed' }, 'Client');
      return reply(settings, 401, body, { 'www-authenticate': 'Basic realm="MM7", charset="UTF-8"' });
    }

    const reading = readSubmitRequest(request, { maxContentBytes: this.config.MMSC_SIM_MAX_CONTENT_BYTES });
    const target = answerTarget(reading);
    const issues = [...reading.issues];
    const expectedVasp = this.config.MMSC_SIM_VASP_ID;
    if (issues.length === 0 && expectedVasp !== undefined && reading.submit?.vaspId !== expectedVasp) {
      issues.push({
        status: IMPROPER_IDENTIFICATION,
        path: 'SubmitReq/SenderIdentification/VASPID',
        message: `VASPID ${JSON.stringify(reading.submit?.vaspId ?? null)} is not the one this MMSC knows`,
      });
    }
    if (issues.length > 0) return this.refuse(reading, target, issues, settings);

    const injectedCode = settings.statusCode ?? (chance(settings.failurePercent) ? settings.failureStatusCode : null);
    const injectedBy = settings.statusCode !== null ? 'status' : injectedCode !== null ? 'percent' : null;
    if (injectedCode !== null && injectedCode >= 2000) {
      this.stats.injected(injectedBy as 'status' | 'percent');
      const details = `failure injected by the simulator (${injectedBy === 'status' ? 'statusCode' : `failurePercent ${settings.failurePercent}`})`;
      return this.refuse(reading, target, [{ status: injectedCode, path: 'simulator', message: details }], settings, injectedBy);
    }
    return this.accept(reading, target, settings, injectedCode ?? 1000);
  }

  private accept(reading: SubmitReading, target: Mm7Target, settings: RuntimeSettings, code: number): Mm7Answer {
    const transactionId = reading.transactionId as string;
    const repeatOf = this.store.acceptedWithTransaction(transactionId) ?? null;
    const messageId = this.nextMessageId();
    const timeout = settings.timeoutMs > 0;
    const message = this.record(reading, {
      messageId,
      status: 'accepted',
      statusCode: code,
      details: null,
      injected: timeout ? 'timeout' : null,
      repeatOf,
    });
    this.store.add(message);
    this.stats.accepted(repeatOf !== null);
    if (timeout) this.stats.injected('timeout');
    this.reporter.plan(message);
    this.logger.log(
      `accepted ${transactionId} as ${messageId} to ${message.recipients.map((r) => maskPhone(r.value)).join(', ')}` +
        `${repeatOf !== null ? ` (repeat of message ${repeatOf})` : ''}${timeout ? ` (answer held ${settings.timeoutMs} ms)` : ''}`,
    );
    return reply(settings, 200, submitRsp(target, transactionId, { code }, messageId), {}, settings.timeoutMs);
  }

  private refuse(
    reading: SubmitReading,
    target: Mm7Target,
    issues: readonly Mm7Issue[],
    settings: RuntimeSettings,
    injected: 'status' | 'percent' | null = null,
  ): Mm7Answer {
    const first = issues[0] as Mm7Issue;
    const details = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    this.store.add(
      this.record(reading, { messageId: null, status: 'rejected', statusCode: first.status, details, injected, repeatOf: null }),
    );
    this.stats.rejected();
    this.logger.log(`refused ${reading.transactionId ?? '(no TransactionID)'} with ${first.status}: ${details}`);
    const result = { code: first.status, details };
    const asFault = !reading.isSubmitReq || first.faultCode !== undefined || settings.errorStyle === 'fault';
    if (!asFault) return reply(settings, 200, submitRsp(target, reading.transactionId, result, null));
    const faultCode = first.faultCode ?? faultCodeFor(first.status);
    return reply(settings, 500, rsErrorFault(target, reading.transactionId, result, faultCode));
  }

  private record(
    reading: SubmitReading,
    outcome: Pick<StoredMessage, 'messageId' | 'status' | 'statusCode' | 'details' | 'injected' | 'repeatOf'>,
  ): StoredMessage {
    const parts: StoredPart[] = reading.parts.map((part, index) => ({
      index,
      contentType: formatMediaType(part.mediaType),
      essence: part.mediaType.essence,
      charset: part.mediaType.params['charset'] ?? null,
      contentId: part.contentId,
      contentLocation: part.contentLocation,
      // A copy: the request's buffer is not kept alive by a slice of it.
      body: Buffer.from(part.body),
    }));
    const presentation: Presentation =
      parts.length === 0
        ? { smilPartIndex: null, slides: [], unreferenced: [], warnings: [] }
        : presentationOf(parts, (i) => decodeText((parts[i] as StoredPart).body, parts[i]?.charset ?? undefined));
    const submit = reading.submit;
    const accepted = outcome.status === 'accepted';
    return {
      id: this.store.nextId(),
      receivedAt: new Date(),
      transactionId: reading.transactionId,
      ...outcome,
      statusText: statusText(outcome.statusCode),
      repeat: outcome.repeatOf !== null,
      mm7Version: submit?.mm7Version ?? null,
      mm7Namespace: reading.mm7Namespace,
      dialect: reading.dialect,
      operation: reading.operation,
      vaspId: submit?.vaspId ?? null,
      vasId: submit?.vasId ?? null,
      sender: submit?.sender ?? null,
      recipients: submit?.recipients ?? [],
      subject: submit?.subject ?? null,
      messageClass: submit?.messageClass ?? null,
      priority: submit?.priority ?? null,
      serviceCode: submit?.serviceCode ?? null,
      linkedId: submit?.linkedId ?? null,
      deliveryReportRequested: submit?.deliveryReport ?? null,
      allowAdaptations: submit?.allowAdaptations ?? null,
      contentType: reading.contentMediaType === null ? null : formatMediaType(reading.contentMediaType),
      contentBytes: reading.contentBytes,
      parts,
      presentation,
      soapXml: reading.soapXml,
      warnings: [...reading.warnings, ...presentation.warnings],
      deliveryReports: accepted
        ? (submit?.recipients ?? []).map((recipient) => ({
            recipient,
            state: 'not-requested' as const,
            mmStatus: null,
            transactionId: null,
            attempts: 0,
            httpStatus: null,
            statusCode: null,
            error: null,
            lastAttemptAt: null,
          }))
        : [],
    };
  }

  /** HTTP basic auth (RFC 7617), when a password is configured; compared in constant time. */
  private authorized(header: string | undefined): boolean {
    const password = this.config.MMSC_SIM_PASSWORD;
    if (password === undefined) return true;
    const match = header === undefined ? null : /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    if (match === null) return false;
    const given = Buffer.from(match[1] as string, 'base64').toString('utf8');
    const expected = `${this.config.MMSC_SIM_USERNAME ?? ''}:${password}`;
    const digest = (value: string) => createHash('sha256').update(value).digest();
    return timingSafeEqual(digest(given), digest(expected));
  }

  /** 18 digits, like the MessageIDs of real MMSCs: too big for a double, as clients must cope with. */
  private nextMessageId(): string {
    this.messageSequence = (this.messageSequence + 1) % 100_000;
    return `${Date.now()}${String(this.messageSequence).padStart(5, '0')}`;
  }
}

function chance(percent: number): boolean {
  return percent >= 100 || (percent > 0 && Math.random() * 100 < percent);
}

function reply(settings: RuntimeSettings, httpStatus: number, body: string, headers: Record<string, string> = {}, extraHoldMs = 0): Mm7Answer {
  const allHeaders = { 'content-type': 'text/xml; charset="utf-8"', ...headers };
  return { kind: 'reply', httpStatus, body, headers: allHeaders, holdMs: settings.latencyMs + extraHoldMs };
}

function defaultTarget(): Mm7Target {
  return { namespace: DEFAULT_MM7_NAMESPACE, version: DEFAULT_MM7_VERSION };
}

/** Answer in the request's own namespace and version when they are usable MM7 ones. */
function answerTarget(reading: SubmitReading): Mm7Target {
  const release = mm7Release(reading.mm7Namespace);
  if (release === null) return defaultTarget();
  const version = reading.submit?.mm7Version ?? '';
  const usable = new RegExp(`^${release}\\.\\d+\\.\\d+$`).test(version);
  return { namespace: reading.mm7Namespace as string, version: usable ? version : release === 5 ? '5.3.0' : DEFAULT_MM7_VERSION };
}
