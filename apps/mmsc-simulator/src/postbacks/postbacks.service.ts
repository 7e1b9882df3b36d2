import { Inject, Injectable, Logger } from '@nestjs/common';
import { SIMULATOR_CONFIG, SimulatorConfig } from '../config/simulator.config';
import { SimulatorSettings } from '../settings/simulator-settings';
import { PostbackBody, decodePostbackBody } from './postback-body';
import { PostbackDocument, readPostbackDocument } from './postback-document';
import { PostbackRefusal } from './postback-refusal';
import { checkSignature } from './postback-signature';
import { PostbackStore, StoredPostback } from './postback-store';

export interface PostbackRequest {
  readonly contentType: string | undefined;
  readonly idempotencyKey: string | undefined;
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
  readonly userAgent: string | undefined;
  readonly body: Buffer;
}

/** What the controller answers, as text/plain. */
export interface PostbackAnswer {
  readonly httpStatus: number;
  readonly body: string;
  readonly record: StoredPostback | null;
}

/**
 * The partner's side of a postback: read the document, check the signature, keep the request, and
 * answer 200 OK (or the status set with postbackStatusCode, so the sender's retries can be watched).
 */
@Injectable()
export class PostbacksService {
  private readonly logger = new Logger('Postbacks');

  constructor(
    @Inject(SIMULATOR_CONFIG) private readonly config: SimulatorConfig,
    private readonly settings: SimulatorSettings,
    private readonly store: PostbackStore,
  ) {}

  receive(request: PostbackRequest): PostbackAnswer {
    let body: PostbackBody;
    let document: PostbackDocument;
    try {
      body = decodePostbackBody(request.contentType, request.body);
      document = readPostbackDocument(body.document);
    } catch (error) {
      if (!(error instanceof PostbackRefusal)) throw error;
      // Not kept (there is nothing to show but the reason): the sender's log and ours say it.
      this.logger.warn(`postback refused with ${error.httpStatus}: ${error.message}`);
      return { httpStatus: error.httpStatus, body: error.message, record: null };
    }
    const answeredStatus = this.settings.get().postbackStatusCode;
    const record = this.store.add({
      receivedAt: new Date(),
      form: body.form,
      contentType: request.contentType ?? '',
      userAgent: request.userAgent ?? null,
      idempotencyKey: request.idempotencyKey ?? null,
      timestampHeader: request.timestamp ?? null,
      signatureHeader: request.signature ?? null,
      signature: checkSignature(this.config.MMSC_SIM_POSTBACK_SECRET, request),
      answeredStatus,
      document: body.document,
      bundled: document.bundled,
      notices: document.notices,
      warnings: document.warnings,
    });
    const codes = record.notices.map((n) => `${n.code ?? '?'} ${n.trackingId ?? '?'}`).join(', ');
    this.logger.log(
      `postback #${record.id} (${record.form}): ${codes}; signature ${record.signature}${record.repeat ? `, repeat of #${record.repeatOf}` : ''}` +
        `${record.warnings.length === 0 ? '' : `, ${record.warnings.length} warning(s)`}; answered ${answeredStatus}`,
    );
    return {
      httpStatus: answeredStatus,
      body: answeredStatus === 200 ? 'OK' : `HTTP ${answeredStatus}: the simulator's postbackStatusCode (POST /api/config) says so`,
      record,
    };
  }
}
