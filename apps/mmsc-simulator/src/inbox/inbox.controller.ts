import { Controller, Get, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { pageQuery, sendPage } from '../common/html-page';
import { SimulatorSettings } from '../settings/simulator-settings';
import { MessageStore } from '../store/message-store';
import { SimulatorStats } from '../store/simulator-stats';
import { renderInbox } from './inbox-page';

/** The inbox page at `/` (FIXED-POINTS.md). `?limit=` messages shown, `?refresh=0` stops reloading. */
@Controller()
export class InboxController {
  constructor(
    private readonly store: MessageStore,
    private readonly stats: SimulatorStats,
    private readonly settings: SimulatorSettings,
  ) {}

  @Get()
  async page(@Res() reply: FastifyReply, @Query('limit') limit?: string, @Query('refresh') refresh?: string): Promise<void> {
    const query = pageQuery(limit, refresh);
    const messages = this.store.list();
    const html = renderInbox({
      messages: messages.slice(0, query.limit),
      total: messages.length,
      stats: this.stats.snapshot(),
      settings: this.settings.get(),
      refreshSeconds: query.refreshSeconds,
    });
    await sendPage(reply, html);
  }
}
