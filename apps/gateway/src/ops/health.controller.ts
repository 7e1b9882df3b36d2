import { Controller, Get } from '@nestjs/common';

/**
 * Liveness on the partners' port, for load balancers: the process answers. Readiness with its
 * details, metrics and Bull Board are on the ops port only (gateway-ops.ts).
 */
@Controller('health')
export class HealthController {
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
