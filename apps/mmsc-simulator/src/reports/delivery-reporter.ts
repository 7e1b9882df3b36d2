import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { maskPhone } from '@mms/config';
import { SIMULATOR_CONFIG, SimulatorConfig } from '../config/simulator.config';
import { DEFAULT_MM7_NAMESPACE, DEFAULT_MM7_VERSION, MM_STATUS_TEXT, MmStatus } from '../mm7/mm7-constants';
import { Mm7Target, deliveryReportReq } from '../mm7/mm7-writer';
import { readResponseStatus, readSoapMessage } from '../mm7/soap-reader';
import { Mm7Address } from '../mm7/submit-req.validator';
import { SimulatorSettings } from '../settings/simulator-settings';
import { SimulatorStats } from '../store/simulator-stats';
import { DeliveryReportRecord, StoredMessage } from '../store/stored-message';

/**
 * Plays the handset and the MMSC after an accepted SubmitReq: after the delay, one
 * DeliveryReportReq per recipient (TS 23.140 §8.7.5) to the VASP's URL, with the configured
 * MMStatus and a handset in UACapabilities. A failed POST, or an answer other than 1000, is tried
 * again (MMSC_SIM_DLR_ATTEMPTS in all). Reports are sent only when the SubmitReq asked for them
 * (DeliveryReport true), unless dlrWhen says always or never.
 */
@Injectable()
export class DeliveryReporter implements OnModuleDestroy {
  private readonly logger = new Logger('DeliveryReporter');
  /** Pending timers and the report each will send (for cancelAll). */
  private readonly timers = new Map<NodeJS.Timeout, DeliveryReportRecord>();
  /** Aborted (and replaced) by cancelAll and at shutdown: stops the POSTs in flight. */
  private cancellation = new AbortController();
  private sequence = 0;

  constructor(
    @Inject(SIMULATOR_CONFIG) private readonly config: SimulatorConfig,
    private readonly settings: SimulatorSettings,
    private readonly stats: SimulatorStats,
  ) {}

  /** Decides, with the settings of the moment, what reports an accepted message gets. */
  plan(message: StoredMessage): void {
    const settings = this.settings.get();
    const wanted = settings.dlrWhen === 'always' || (settings.dlrWhen === 'requested' && message.deliveryReportRequested === true);
    for (const record of message.deliveryReports) {
      if (!wanted) {
        record.state = settings.dlrWhen === 'never' ? 'off' : 'not-requested';
      } else if (settings.dlrUrl === null) {
        record.state = 'off';
        record.error = 'no delivery-report URL configured (MMSC_SIM_DLR_URL)';
      } else {
        record.state = 'scheduled';
        record.mmStatus = settings.dlrStatus;
        this.sequence += 1;
        record.transactionId = `sim-dr-${this.sequence}`;
        this.later(record, settings.dlrDelayMs, () => this.send(message, record, settings.dlrUrl as string, settings.dlrStatus, settings.dlrDelayMs));
      }
    }
  }

  /** Forgets every report not yet delivered (the inbox was cleared, or the process stops). */
  cancelAll(): void {
    for (const [timer, record] of this.timers) {
      clearTimeout(timer);
      record.state = 'cancelled';
    }
    this.timers.clear();
    this.cancellation.abort();
    this.cancellation = new AbortController();
  }

  onModuleDestroy(): void {
    this.cancelAll();
  }

  private later(record: DeliveryReportRecord, ms: number, run: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void run();
    }, ms);
    this.timers.set(timer, record);
  }

  private async send(message: StoredMessage, record: DeliveryReportRecord, url: string, mmStatus: MmStatus, delayMs: number): Promise<void> {
    const cancelled = this.cancellation.signal;
    record.state = 'sending';
    record.attempts += 1;
    record.lastAttemptAt = new Date();
    const target: Mm7Target = {
      namespace: message.mm7Namespace ?? DEFAULT_MM7_NAMESPACE,
      version: message.mm7Version ?? DEFAULT_MM7_VERSION,
    };
    const sender: Mm7Address = message.sender ?? { kind: 'RFC2822Address', value: `${message.vaspId ?? 'vasp'}@mmsc-simulator.invalid` };
    const xml = deliveryReportReq({
      dialect: target,
      transactionId: record.transactionId as string,
      relayServerId: this.config.MMSC_SIM_RELAY_SERVER_ID,
      messageId: message.messageId as string,
      recipient: record.recipient,
      sender,
      date: new Date(),
      mmStatus,
      statusText: MM_STATUS_TEXT[mmStatus],
      uaProf: this.config.MMSC_SIM_DLR_UAPROF,
    });
    const headers: Record<string, string> = { 'content-type': 'text/xml; charset="utf-8"', soapaction: '""' };
    if (this.config.MMSC_SIM_DLR_USERNAME !== undefined || this.config.MMSC_SIM_DLR_PASSWORD !== undefined) {
      const credentials = `${this.config.MMSC_SIM_DLR_USERNAME ?? ''}:${this.config.MMSC_SIM_DLR_PASSWORD ?? ''}`;
      headers['authorization'] = `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;
    }
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body: xml,
        signal: AbortSignal.any([AbortSignal.timeout(this.config.MMSC_SIM_DLR_TIMEOUT_MS), cancelled]),
      });
      const text = await response.text();
      record.httpStatus = response.status;
      record.statusCode = statusCodeIn(text);
      if (response.ok && record.statusCode === 1000) {
        record.state = 'delivered';
        record.error = null;
        this.stats.deliveryReport('delivered');
        this.logger.log(`delivery report ${mmStatus} for ${message.messageId} to ${maskPhone(record.recipient.value)}: accepted`);
        return;
      }
      record.error = `HTTP ${response.status}, StatusCode ${record.statusCode ?? '(none)'}`;
    } catch (error) {
      if (cancelled.aborted) {
        record.state = 'cancelled';
        return;
      }
      record.error = error instanceof Error ? `${error.message}${error.cause instanceof Error ? `: ${error.cause.message}` : ''}` : String(error);
    }
    if (record.attempts < this.config.MMSC_SIM_DLR_ATTEMPTS) {
      record.state = 'scheduled';
      this.later(record, Math.max(delayMs, 200) * record.attempts, () => this.send(message, record, url, mmStatus, delayMs));
      return;
    }
    record.state = 'failed';
    this.stats.deliveryReport('failed');
    this.logger.warn(`delivery report for ${message.messageId} failed after ${record.attempts} attempt(s): ${record.error}`);
  }
}

/** The StatusCode of a DeliveryReportRsp (or of an RSErrorRsp in a Fault), null if unreadable. */
function statusCodeIn(xml: string): number | null {
  try {
    return readResponseStatus(readSoapMessage(xml))?.code ?? null;
  } catch {
    return null;
  }
}
