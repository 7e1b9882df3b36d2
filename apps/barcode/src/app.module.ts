import { DynamicModule, Module } from '@nestjs/common';
import { QueueName } from '@mms/contracts';
import { DbModule, pgPoolLimitsOf } from '@mms/db';
import { ImageStoreModule } from '@mms/image-store';
import { QueueModule, WorkerOpsModule } from '@mms/queue';
import { BarcodeProcessor } from './barcode/barcode.processor';
import { BarcodeRepository } from './barcode/barcode.repository';
import { BarcodeService } from './barcode/barcode.service';
import { BARCODE_CONFIG, BarcodeConfig } from './config/barcode.config';
import { BARCODE_RENDERER, MatrixPngRenderer } from '@mms/barcode-render';

@Module({})
export class BarcodeAppModule {
  static forRoot(config: BarcodeConfig): DynamicModule {
    return {
      module: BarcodeAppModule,
      imports: [
        DbModule.forRoot({ databaseUrl: config.DATABASE_URL, poolSize: config.DB_POOL_SIZE, limits: pgPoolLimitsOf(config) }),
        QueueModule.forRoot({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX, produces: [QueueName.Delivery, QueueName.Postback], consumes: [QueueName.Barcode] }),
        ImageStoreModule,
        WorkerOpsModule,
      ],
      providers: [
        { provide: BARCODE_CONFIG, useValue: config },
        { provide: BARCODE_RENDERER, useClass: MatrixPngRenderer },
        BarcodeRepository,
        BarcodeService,
        BarcodeProcessor,
      ],
    };
  }
}
