import { Controller, Get, Inject, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { pageQuery, sendPage } from '../common/html-page';
import { SIMULATOR_CONFIG, SimulatorConfig } from '../config/simulator.config';
import { SimulatorSettings } from '../settings/simulator-settings';
import { MessageStore } from '../store/message-store';
import { PostbackStore } from './postback-store';
import { inboxLinks, renderPostbacks } from './postbacks-page';
import { PostbacksService } from './postbacks.service';

/**
 * The partner's postback endpoint (`POST /postbacks`) and the page of what it received
 * (`GET /postbacks`, `?limit=` requests shown, `?refresh=0` stops reloading).
 */
@Controller('postbacks')
export class PostbacksController {
  constructor(
    @Inject(SIMULATOR_CONFIG) private readonly config: SimulatorConfig,
    private readonly postbacks: PostbacksService,
    private readonly store: PostbackStore,
    private readonly messages: MessageStore,
    private readonly settings: SimulatorSettings,
  ) {}

  @Post()
  async receive(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const answer = this.postbacks.receive({
      contentType: req.headers['content-type'],
      idempotencyKey: header(req.headers['idempotency-key']),
      timestamp: header(req.headers['x-postback-timestamp']),
      signature: header(req.headers['x-postback-signature']),
      userAgent: req.headers['user-agent'],
      // The exact bytes: the signature is over them (bootstrap.ts reads every body as a Buffer).
      body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
    });
    await reply.status(answer.httpStatus).header('content-type', 'text/plain; charset=utf-8').send(answer.body);
  }

  @Get()
  async page(@Res() reply: FastifyReply, @Query('limit') limit?: string, @Query('refresh') refresh?: string): Promise<void> {
    const query = pageQuery(limit, refresh);
    const records = this.store.list();
    const html = renderPostbacks({
      records: records.slice(0, query.limit),
      total: records.length,
      inboxLinks: inboxLinks(this.messages.list()),
      statusCode: this.settings.get().postbackStatusCode,
      signaturesChecked: this.config.MMSC_SIM_POSTBACK_SECRET !== undefined,
      refreshSeconds: query.refreshSeconds,
    });
    await sendPage(reply, html);
  }
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
