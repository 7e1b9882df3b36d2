import { DynamicModule, Module } from '@nestjs/common';
import { QueueName } from '@mms/contracts';
import { DbModule } from '@mms/db';
import { ImageStoreModule } from '@mms/image-store';
import { QueueModule } from '@mms/queue';
import { DELIVERY_CONFIG, DeliveryConfig } from './config/delivery.config';
import { DeliveryProcessor } from './delivery/delivery.processor';
import { DeliveryService } from './delivery/delivery.service';
import { MMS_TRANSPORT } from './transport/mms-transport';
import { OutboxTransport } from './transport/outbox-transport.adapter';

@Module({})
export class DeliveryAppModule {
  static forRoot(config: DeliveryConfig): DynamicModule {
    return {
      module: DeliveryAppModule,
      imports: [
        DbModule.forRoot({ databaseUrl: config.DATABASE_URL, poolSize: config.DB_POOL_SIZE }),
        QueueModule.forRoot({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX, produces: [], consumes: [QueueName.Delivery] }),
        ImageStoreModule,
      ],
      providers: [
        { provide: DELIVERY_CONFIG, useValue: config },
        // The MM7 transport joins here once an MMSC connector is configured.
        { provide: MMS_TRANSPORT, useFactory: () => new OutboxTransport(config.OUTBOX_DIR) },
        DeliveryService,
        DeliveryProcessor,
      ],
    };
  }
}
