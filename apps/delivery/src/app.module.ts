import { DynamicModule, Module } from '@nestjs/common';
import { QueueName } from '@mms/contracts';
import { BARCODE_RENDERER, MatrixPngRenderer } from '@mms/barcode-render';
import { DbModule, pgPoolLimitsOf } from '@mms/db';
import { ImageStoreModule } from '@mms/image-store';
import { QueueModule, WorkerOpsModule } from '@mms/queue';
import { DELIVERY_CONFIG, DeliveryConfig } from './config/delivery.config';
import type { CarrierLimits } from './handset/handset-profiles';
import { DeliveryMetrics } from './ops/delivery-metrics';
import { DeliveryProcessor } from './delivery/delivery.processor';
import { DeliveryRepository } from './delivery/delivery.repository';
import { DeliveryService } from './delivery/delivery.service';
import { PostbackRepository } from './postbacks/postback.repository';
import { PostbackService } from './postbacks/postback.service';
import { PostbackWorker } from './postbacks/postback.worker';
import { DeliveryReportProcessor } from './reports/delivery-report.processor';
import { DeliveryReportsService } from './reports/delivery-reports.service';
import { MMS_TRANSPORT } from './transport/mms-transport';
import { OutboxTransport } from './transport/outbox-transport.adapter';
import { mm7ConnectorSchema } from './transport/mm7/mm7-connector';
import { ConnectorRateLimiter } from './transport/mm7/connector-rate-limiter';
import { Mm7Router } from './transport/mm7/mm7-router.adapter';
import type { RoutedMmsTransport } from './transport/mms-transport';

@Module({})
export class DeliveryAppModule {
  static forRoot(config: DeliveryConfig): DynamicModule {
    return {
      module: DeliveryAppModule,
      imports: [
        DbModule.forRoot({ databaseUrl: config.DATABASE_URL, poolSize: config.DB_POOL_SIZE, limits: pgPoolLimitsOf(config) }),
        QueueModule.forRoot({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX, produces: [QueueName.Postback], consumes: [QueueName.Delivery, QueueName.DeliveryReport, QueueName.Postback] }),
        ImageStoreModule,
        WorkerOpsModule,
      ],
      providers: [
        { provide: DELIVERY_CONFIG, useValue: config },
        DeliveryMetrics,
        { provide: MMS_TRANSPORT, useFactory: (metrics: DeliveryMetrics) => transportFor(config, metrics), inject: [DeliveryMetrics] },
        { provide: BARCODE_RENDERER, useClass: MatrixPngRenderer },
        DeliveryRepository,
        DeliveryService,
        DeliveryReportsService,
        DeliveryReportProcessor,
        DeliveryProcessor,
        PostbackRepository,
        PostbackService,
        PostbackWorker,
      ],
    };
  }
}

/** MM7 to the configured MMSC connectors when any is set; the outbox folder otherwise. */
function transportFor(config: DeliveryConfig, metrics: DeliveryMetrics): RoutedMmsTransport {
  const connectors = [...(config.MM7_CONNECTORS ?? [])];
  // The default connector's limits; the outbox folder stands in for it until an MMSC is set.
  const limits: CarrierLimits = { maxMessageBytes: config.MM7_MAX_MESSAGE_BYTES, unknownHandsetClass: config.MM7_UNKNOWN_HANDSET_CLASS };
  if (config.MM7_URL !== undefined) {
    connectors.unshift(
      mm7ConnectorSchema.parse({
        name: 'default',
        url: config.MM7_URL,
        username: config.MM7_USERNAME,
        password: config.MM7_PASSWORD,
        vaspId: config.MM7_VASP_ID,
        vasId: config.MM7_VAS_ID,
        version: config.MM7_VERSION,
        timeoutMs: config.MM7_TIMEOUT_MS,
        maxPerSecond: config.MM7_MAX_PER_SECOND,
        numberPrefix: config.MM7_NUMBER_PREFIX,
        ...limits,
      }),
    );
  }
  if (connectors.length === 0) return new OutboxTransport(config.OUTBOX_DIR, limits);
  return new Mm7Router(connectors, new ConnectorRateLimiter(config.REDIS_URL, config.QUEUE_PREFIX), (connector, statusCode, seconds) =>
    metrics.submitted(connector, statusCode, seconds),
  );
}
