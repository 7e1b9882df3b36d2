import { Controller, Get, Logger, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PartnerApiError, PartnerRequest, PartnerResponse, errorInfoFor } from '@mms/contracts';
import { maskPhone, requestIdFrom, withLogContext } from '@mms/config';
import { GatewayMetrics } from '../ops/metrics';
import { AcceptMessageService } from './accept-message.service';
import { parsePartnerRequest } from './request-parser';
import { renderResponse } from './response-xml';

export const PARTNER_API_PATH = '/API/wxml/1.3/index.php';

/**
 * The partner XML API (Skycore 1.3 compatible). Every answer is 200 text/xml with a RESPONSE
 * document, success or failure: partners branch on STATUS and ERRORCODE, not on HTTP codes.
 */
@Controller('API/wxml/1.3')
export class PartnerApiController {
  private readonly logger = new Logger('PartnerApi');

  constructor(
    private readonly acceptMessage: AcceptMessageService,
    private readonly metrics: GatewayMetrics,
  ) {}

  @Get('index.php')
  viaQuery(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.handle(req, reply);
  }

  @Post('index.php')
  viaBody(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.handle(req, reply);
  }

  /**
   * Each request runs in a log context with its request id (the partner's X-Request-Id when sane,
   * else a fresh one; answered in X-Request-Id): every line it logs carries it, and the message it
   * makes keeps it (messages.request_id) for its jobs, MM7 and postback calls. One access line per
   * request, with the action, the outcome and the time taken.
   */
  private handle(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const requestId = requestIdFrom(req.headers['x-request-id']);
    return withLogContext({ requestId }, async () => {
      const stopTimer = this.metrics.partnerLatency.startTimer();
      const { request, response } = await this.answer(req);
      stopTimer();
      const outcome = response.status === 'Success' ? 'Success' : response.errorCode;
      this.metrics.partnerRequests.inc({ outcome });
      this.logger.log(
        `${req.method} ${PARTNER_API_PATH} action=${actionOf(request)} result=${outcome}` +
          `${response.status === 'Success' ? ` trackingId=${response.trackingId}` : ''}` +
          `${response.to ? ` to=${maskPhone(response.to)}` : ''} durationMs=${reply.elapsedTime.toFixed(1)}`,
      );
      await reply
        .status(200)
        .header('content-type', 'text/xml; charset=utf-8')
        .header('x-request-id', requestId)
        .send(renderResponse(response));
    });
  }

  private async answer(req: FastifyRequest): Promise<{ request?: PartnerRequest; response: PartnerResponse }> {
    let request: PartnerRequest | undefined;
    try {
      request = parsePartnerRequest({
        method: req.method,
        query: (req.query ?? {}) as Record<string, string | string[]>,
        contentType: req.headers['content-type'],
        body: Buffer.isBuffer(req.body) ? req.body : undefined,
      });
      // req.ip: the peer, or with TRUST_PROXY the client its proxy names (failed logins are counted by it).
      return { request, response: await this.acceptMessage.accept(request, 'partner-api', req.ip) };
    } catch (error) {
      // A GET refused by the parser still carried its TO in the query: echo it, as for any failure.
      if (error instanceof PartnerApiError) return { request, response: failure(error, request?.to ?? toInQuery(req.query)) };
      this.logger.error(`internal error answering a partner request: ${error instanceof Error ? error.stack : String(error)}`);
      return { request, response: { status: 'Failure', errorCode: 'E503', errorInfo: errorInfoFor('E503'), to: request?.to } };
    }
  }
}

/** The action as the partner named it, for the access line: a short token or `-` (never free text). */
function actionOf(request: PartnerRequest | undefined): string {
  const action = request?.action;
  return action !== undefined && /^[A-Za-z]{1,40}$/.test(action) ? action : '-';
}

function toInQuery(query: unknown): string | undefined {
  if (typeof query !== 'object' || query === null) return undefined;
  const entry = Object.entries(query).find(([name]) => name.toLowerCase() === 'to');
  return typeof entry?.[1] === 'string' && entry[1].trim() !== '' ? entry[1].trim() : undefined;
}

function failure(error: PartnerApiError, to: string | undefined): PartnerResponse {
  return { status: 'Failure', errorCode: error.code, errorInfo: error.info, to };
}
