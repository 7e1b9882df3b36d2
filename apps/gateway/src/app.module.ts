import { DynamicModule, Module } from '@nestjs/common';
import { QueueName } from '@mms/contracts';
import { DbModule, pgPoolLimitsOf } from '@mms/db';
import { QueueModule } from '@mms/queue';
import { DeliveryReportsController } from './carrier-callbacks/delivery-reports.controller';
import { GATEWAY_CONFIG, GatewayConfig } from './config/gateway.config';
import { InternalSendController } from './internal-send/internal-send.controller';
import { InternalSendService } from './internal-send/internal-send.service';
import { OutboxRelay } from './outbox/outbox.relay';
import { StuckMessageReconciler } from './outbox/stuck-message.reconciler';
import { GatewayOps } from './ops/gateway-ops';
import { HealthController } from './ops/health.controller';
import { GatewayMetrics } from './ops/metrics';
import { GatewayReadiness } from './ops/readiness';
import { AcceptCommitter } from './partner-api/accept-committer';
import { AcceptMessageService } from './partner-api/accept-message.service';
import { AccountCatalog } from './partner-api/account-catalog';
import { LegacyPasswords } from './partner-api/legacy-passwords';
import { LoginThrottle } from './partner-api/login-throttle';
import { PartnerApiController } from './partner-api/partner-api.controller';
import { RateLimiter } from './partner-api/rate-limiter';
import { RetentionPass } from './retention/retention.pass';

@Module({})
export class GatewayModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        DbModule.forRoot({ databaseUrl: config.DATABASE_URL, poolSize: config.DB_POOL_SIZE, limits: pgPoolLimitsOf(config) }),
        QueueModule.forRoot({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX, produces: [QueueName.Barcode, QueueName.Delivery, QueueName.DeliveryReport, QueueName.Postback], consumes: [QueueName.InternalSend] }),
      ],
      controllers: [PartnerApiController, DeliveryReportsController, HealthController, InternalSendController],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        AccountCatalog,
        AcceptCommitter,
        AcceptMessageService,
        InternalSendService,
        RateLimiter,
        LoginThrottle,
        LegacyPasswords,
        OutboxRelay,
        StuckMessageReconciler,
        RetentionPass,
        GatewayMetrics,
        GatewayReadiness,
        GatewayOps,
      ],
    };
  }
}
