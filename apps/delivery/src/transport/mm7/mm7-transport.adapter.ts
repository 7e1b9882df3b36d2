import { currentRequestId } from '@mms/config';
import { parseSubmitResponse } from '@mms/mm7';
import type { ComposedMms } from '../../compose/mms';
import { MmsTransport, PermanentTransportError, SubmitResult } from '../mms-transport';
import { HttpPoster, HttpAnswer } from './http-post';
import { Mm7Connector, mm7TransportName } from './mm7-connector';
import { submitReqFor } from './submit-req';

/** Told of each SubmitReq's answer: the MMSC's status code (or http_401, http_403, no_answer) and the time it took. */
export type SubmitObserver = (connector: string, statusCode: number | string, seconds: number) => void;

/**
 * Submits over MM7 to one MMSC connector. Success stores the MMSC's MessageID (delivery reports
 * refer to it). A client error (2xxx, or a code the connector does not retry) is permanent;
 * server errors, timeouts and network failures are thrown as ordinary errors so the job is
 * retried with backoff. The HTTP request carries X-Request-Id: the id of the partner request the
 * message came from (the submitting job's log context), so the MMSC's logs can be matched to ours.
 */
export class Mm7Transport implements MmsTransport {
  private readonly http: HttpPoster;

  constructor(
    private readonly connector: Mm7Connector,
    private readonly observe: SubmitObserver = () => undefined,
  ) {
    this.http = new HttpPoster(connector.url);
  }

  async submit(mms: ComposedMms): Promise<SubmitResult> {
    const request = submitReqFor(mms, this.connector, new Date());
    const headers: Record<string, string> = { 'content-type': request.contentType, soapaction: '""' };
    if (this.connector.username !== undefined) {
      const credentials = `${this.connector.username}:${this.connector.password ?? ''}`;
      headers.authorization = `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;
    }
    const requestId = currentRequestId();
    if (requestId !== undefined) headers['x-request-id'] = requestId;
    const started = performance.now();
    const answered = (statusCode: number | string) => this.observe(this.connector.name, statusCode, (performance.now() - started) / 1000);
    let response: HttpAnswer;
    try {
      response = await this.http.post(headers, request.body, this.connector.timeoutMs);
    } catch (error) {
      answered('no_answer');
      throw new Error(`MM7 ${this.connector.name}: no answer (${error instanceof Error ? error.message : String(error)})`);
    }
    const { body } = response;
    if (response.status === 401 || response.status === 403) {
      answered(`http_${response.status}`);
      throw new PermanentTransportError(`MM7 ${this.connector.name}: HTTP ${response.status}, credentials refused`);
    }
    const outcome = parseSubmitResponse(body, this.connector.retryableCodes);
    answered(outcome.code);
    if (outcome.kind === 'accepted') {
      const submitted = { transport: mm7TransportName(this.connector.name), reference: outcome.messageId ?? null, bytes: request.body.length };
      // Accepted is accepted: the MMSC has the message, and a retry would send the ticket twice.
      return 'warning' in outcome ? { ...submitted, warning: `MM7 ${this.connector.name}: ${outcome.warning}` } : submitted;
    }
    const reason = `MM7 ${this.connector.name}: ${outcome.code} ${outcome.text}`.trim();
    if (outcome.retryable) throw new Error(reason);
    throw new PermanentTransportError(reason);
  }

  close(): void {
    this.http.close();
  }
}
