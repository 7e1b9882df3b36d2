import { Controller, Get, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { SimulatorSettings } from '../settings/simulator-settings';
import { MessageStore } from '../store/message-store';
import { SimulatorStats } from '../store/simulator-stats';
import { renderInbox } from './inbox-page';

const DEFAULT_SHOWN = 50;
const DEFAULT_REFRESH_SECONDS = 5;

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
    const messages = this.store.list();
    const html = renderInbox({
      messages: messages.slice(0, boundedInt(limit, DEFAULT_SHOWN, 1, 1000)),
      total: messages.length,
      stats: this.stats.snapshot(),
      settings: this.settings.get(),
      refreshSeconds: boundedInt(refresh, DEFAULT_REFRESH_SECONDS, 0, 3600),
    });
    await reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'")
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-store')
      .send(html);
  }
}

function boundedInt(value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || !/^\d+$/.test(value)) return fallback;
  return Math.min(max, Math.max(min, Number(value)));
}
