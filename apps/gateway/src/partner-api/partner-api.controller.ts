import { Controller, Get, Logger, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PartnerApiError, PartnerRequest, PartnerResponse, errorInfoFor } from '@mms/contracts';
import { maskPhone } from '@mms/config';
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

  private async handle(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const stopTimer = this.metrics.partnerLatency.startTimer();
    const response = await this.answer(req);
    stopTimer();
    this.metrics.partnerRequests.inc({ outcome: response.status === 'Success' ? 'Success' : response.errorCode });
    if (response.status === 'Success') {
      this.logger.log(`accepted ${response.trackingId} to ${maskPhone(response.to)}`);
    } else {
      this.logger.log(`refused ${response.errorCode}${response.to ? ` to ${maskPhone(response.to)}` : ''}`);
    }
    await reply.status(200).header('content-type', 'text/xml; charset=utf-8').send(renderResponse(response));
  }

  private async answer(req: FastifyRequest): Promise<PartnerResponse> {
    let request: PartnerRequest | undefined;
    try {
      request = parsePartnerRequest({
        method: req.method,
        query: (req.query ?? {}) as Record<string, string | string[]>,
        contentType: req.headers['content-type'],
        body: Buffer.isBuffer(req.body) ? req.body : undefined,
      });
      return await this.acceptMessage.accept(request);
    } catch (error) {
      // A GET refused by the parser still carried its TO in the query: echo it, as for any failure.
      if (error instanceof PartnerApiError) return failure(error, request?.to ?? toInQuery(req.query));
      this.logger.error(`internal error answering a partner request: ${error instanceof Error ? error.stack : String(error)}`);
      return { status: 'Failure', errorCode: 'E503', errorInfo: errorInfoFor('E503'), to: request?.to };
    }
  }
}

function toInQuery(query: unknown): string | undefined {
  if (typeof query !== 'object' || query === null) return undefined;
  const entry = Object.entries(query).find(([name]) => name.toLowerCase() === 'to');
  return typeof entry?.[1] === 'string' && entry[1].trim() !== '' ? entry[1].trim() : undefined;
}

function failure(error: PartnerApiError, to: string | undefined): PartnerResponse {
  return { status: 'Failure', errorCode: error.code, errorInfo: error.info, to };
}
