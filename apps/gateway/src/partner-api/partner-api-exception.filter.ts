import { ArgumentsHost, Catch, HttpException, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requestIdFrom, withLogContext } from '@mms/config';
import { errorInfoFor } from '@mms/contracts';
import { PARTNER_API_PATH } from './partner-api.controller';
import { renderResponse } from './response-xml';

/**
 * Errors raised before the partner API's handler runs (a body over the size limit, a body Fastify
 * could not read) still get a RESPONSE document: E100, with HTTP 413 for an oversized body.
 * Every other route keeps Nest's default error answers.
 */
@Catch()
export class PartnerApiExceptionFilter extends BaseExceptionFilter {
  private readonly logger = new Logger('PartnerApi');

  override catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    if (!request.url?.startsWith(PARTNER_API_PATH)) {
      super.catch(exception, host);
      return;
    }
    const status = statusOf(exception) === 413 ? 413 : 200;
    const requestId = requestIdFrom(request.headers['x-request-id']);
    const reply = http.getResponse<FastifyReply>();
    // The access line the controller writes for the requests it gets.
    withLogContext({ requestId }, () =>
      this.logger.log(`${request.method} ${PARTNER_API_PATH} action=- result=E100 http=${status} durationMs=${reply.elapsedTime.toFixed(1)} (refused before the handler)`),
    );
    void reply
      .status(status)
      .header('content-type', 'text/xml; charset=utf-8')
      .header('x-request-id', requestId)
      .send(renderResponse({ status: 'Failure', errorCode: 'E100', errorInfo: errorInfoFor('E100') }));
  }
}

function statusOf(exception: unknown): number | undefined {
  if (exception instanceof HttpException) return exception.getStatus();
  const code = (exception as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}
