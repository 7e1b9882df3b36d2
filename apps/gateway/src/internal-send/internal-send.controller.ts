import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { InternalSendPattern, SendBarcodeOutcome, SendBarcodeRequest } from '@mms/contracts';
import { INTERNAL_SEND_TRANSPORT, InternalSendContext } from './internal-send.server';
import { InternalSendService, SendOrigin } from './internal-send.service';

/**
 * Internal sends (libs/send-client): `send` answers with the outcome, `emit` only has it stored
 * with its job. The request was checked against its schema as it came off the queue.
 */
@Controller()
export class InternalSendController {
  constructor(private readonly sends: InternalSendService) {}

  @MessagePattern(InternalSendPattern.SendBarcode, INTERNAL_SEND_TRANSPORT)
  sendBarcode(@Payload() request: SendBarcodeRequest, @Ctx() context: InternalSendContext): Promise<SendBarcodeOutcome> {
    return this.sends.send(request, originOf(context));
  }

  @EventPattern(InternalSendPattern.SendBarcode, INTERNAL_SEND_TRANSPORT)
  sendBarcodeQueued(@Payload() request: SendBarcodeRequest, @Ctx() context: InternalSendContext): Promise<SendBarcodeOutcome> {
    return this.sends.send(request, originOf(context));
  }
}

function originOf(context: InternalSendContext): SendOrigin {
  const job = context.getJob();
  // attemptsStarted counts every start, retries and stalled jobs taken over included.
  return { jobId: job.id ?? '', retried: job.attemptsStarted > 1, queuedAt: job.timestamp };
}
