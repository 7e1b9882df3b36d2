import { Controller, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Pauses } from '../common/pauses';
import { SubmitService } from './submit.service';

export const MM7_PATH = '/mm7';

/** The MM7 endpoint (FIXED-POINTS.md): SOAP over HTTP POST, answered with text/xml. */
@Controller()
export class Mm7Controller {
  constructor(
    private readonly submit: SubmitService,
    private readonly pauses: Pauses,
  ) {}

  @Post('mm7')
  async receive(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const answer = this.submit.handle({
      contentType: req.headers['content-type'],
      soapAction: header(req.headers['soapaction']),
      authorization: req.headers.authorization,
      body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
    });
    if (answer.kind === 'drop') {
      // A carrier link that dies mid-request: no status line, no body.
      req.raw.socket.destroy();
      return;
    }
    await this.pauses.wait(answer.holdMs);
    if (req.raw.socket.destroyed) return; // the client gave up while the answer was held
    await reply.status(answer.httpStatus).headers(answer.headers).send(answer.body);
  }
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
