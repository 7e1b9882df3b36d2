import { ArgumentsHost, Catch, HttpException, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requestIdFrom, withLogContext } from '@mms/config';
import { errorInfoFor } from '@mms/contracts';
import { Mm7Status } from '@mms/mm7';
import { DELIVERY_REPORTS_PATH, sendFault } from '../carrier-callbacks/fault-reply';
import { PARTNER_API_PATH } from './partner-api.controller';
import { renderResponse } from './response-xml';

/**
 * Errors raised before the partner API's handler runs (a body over the size limit, a body Fastify
 * could not read) still get a RESPONSE document: E100, with HTTP 413 for an oversized body.
 * Likewise an MMSC's delivery report gets a SOAP Fault (413 for an oversized body, 500 for
 * anything else, as SOAP 1.1 §6.2 wants). Every other route keeps Nest's default error answers.
 */
@Catch()
export class PartnerApiExceptionFilter extends BaseExceptionFilter {
  private readonly logger = new Logger('PartnerApi');
  private readonly reportsLogger = new Logger('DeliveryReports');

  override catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    if (request.url?.startsWith(DELIVERY_REPORTS_PATH)) {
      this.reportRefused(exception, http.getResponse<FastifyReply>());
      return;
    }
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

  private reportRefused(exception: unknown, reply: FastifyReply): void {
    if (reply.sent) return;
    const status = statusOf(exception);
    if (status === 413) {
      void sendFault(reply, 413, Mm7Status.ValidationError, 'the report is larger than this gateway accepts');
    } else if (status !== undefined && status >= 400 && status < 500) {
      void sendFault(reply, 400, Mm7Status.ValidationError, 'the report could not be read');
    } else {
      this.reportsLogger.error(`delivery report not taken: ${exception instanceof Error ? exception.stack : String(exception)}`);
      void sendFault(reply, 500, Mm7Status.ServerError, 'Server error: the report was not taken, send it again later');
    }
  }
}

function statusOf(exception: unknown): number | undefined {
  if (exception instanceof HttpException) return exception.getStatus();
  const code = (exception as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}
