import { BadRequestException, Controller, Delete, Get, NotFoundException, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PostbackJson, PostbackStore, postbackJson } from '../postbacks/postback-store';
import { DeliveryReporter } from '../reports/delivery-reporter';
import { RuntimeSettings, SimulatorSettings, runtimeSettingsPatchSchema } from '../settings/simulator-settings';
import { MessageStore } from '../store/message-store';
import { SimulatorStats } from '../store/simulator-stats';
import { MessageSummary, StoredMessage, messageSummary } from '../store/stored-message';

/**
 * The JSON side (FIXED-POINTS.md): messages newest first and their parts' bytes, the partner
 * postbacks received, plus what tests need: clearing, counters, and failure injection at run time.
 */
@Controller('api')
export class ApiController {
  constructor(
    private readonly store: MessageStore,
    private readonly stats: SimulatorStats,
    private readonly settings: SimulatorSettings,
    private readonly reporter: DeliveryReporter,
    private readonly postbacks: PostbackStore,
  ) {}

  /** Newest first; `?status=accepted` or `rejected` filters, `?limit=` caps. */
  @Get('messages')
  list(@Query('status') status?: string, @Query('limit') limit?: string): MessageSummary[] {
    if (status !== undefined && status !== 'accepted' && status !== 'rejected') {
      throw new BadRequestException('status must be accepted or rejected');
    }
    return this.store
      .list()
      .filter((m) => status === undefined || m.status === status)
      .slice(0, maxCount(limit))
      .map(messageSummary);
  }

  /** Clears the inbox, the TransactionIDs seen, the counters, and the reports not yet sent. */
  @Delete('messages')
  clear(): { cleared: number } {
    const cleared = this.store.size;
    this.reporter.cancelAll();
    this.store.clear();
    this.stats.reset();
    return { cleared };
  }

  /** The postback requests received on POST /postbacks, newest first, documents included; `?limit=` caps. */
  @Get('postbacks')
  listPostbacks(@Query('limit') limit?: string): PostbackJson[] {
    return this.postbacks.list().slice(0, maxCount(limit)).map(postbackJson);
  }

  @Delete('postbacks')
  clearPostbacks(): { cleared: number } {
    return { cleared: this.postbacks.clear() };
  }

  /** One message with its slides (the inbox's view of it). */
  @Get('messages/:id')
  one(@Param('id') id: string) {
    const message = this.message(id);
    return { ...messageSummary(message), presentation: message.presentation };
  }

  @Get('messages/:id/parts/:index')
  async part(@Param('id') id: string, @Param('index') index: string, @Res() reply: FastifyReply): Promise<void> {
    const message = this.message(id);
    const part = /^\d+$/.test(index) ? message.parts[Number(index)] : undefined;
    if (part === undefined) throw new NotFoundException(`message ${id} has no part ${index}`);
    await reply
      .header('content-type', part.contentType)
      // Parts are hostile input served from our origin: never sniffed, never scripted.
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox")
      .header('cache-control', 'no-store')
      .send(part.body);
  }

  /** The SOAP part as received. */
  @Get('messages/:id/envelope')
  async envelope(@Param('id') id: string, @Res() reply: FastifyReply): Promise<void> {
    const message = this.message(id);
    if (message.soapXml === null) throw new NotFoundException(`message ${id} had no readable SOAP part`);
    await reply.header('content-type', 'text/xml; charset=utf-8').header('x-content-type-options', 'nosniff').send(message.soapXml);
  }

  @Get('stats')
  statistics() {
    return { ...this.stats.snapshot(), stored: this.store.size };
  }

  @Get('config')
  config(): RuntimeSettings {
    return this.settings.get();
  }

  /** Changes some settings (JSON object, fields as GET /api/config shows them); answers all of them. */
  @Post('config')
  update(@Req() req: FastifyRequest): RuntimeSettings {
    let json: unknown;
    try {
      json = JSON.parse(Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '');
    } catch {
      throw new BadRequestException('the body must be a JSON object');
    }
    const patch = runtimeSettingsPatchSchema.safeParse(json);
    if (!patch.success) {
      throw new BadRequestException(patch.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`));
    }
    return this.settings.update(patch.data);
  }

  /** Back to the settings of the environment. */
  @Delete('config')
  reset(): RuntimeSettings {
    return this.settings.reset();
  }

  private message(id: string): StoredMessage {
    const message = this.store.get(id);
    if (message === undefined) throw new NotFoundException(`no message ${id} (it may have been dropped from the inbox)`);
    return message;
  }
}

function maxCount(limit: string | undefined): number {
  const max = limit === undefined ? Number.POSITIVE_INFINITY : Number(limit);
  if (!(max >= 0)) throw new BadRequestException('limit must be a number >= 0');
  return max;
}

@Controller('health')
export class HealthController {
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
