import { DynamicModule, Module } from '@nestjs/common';
import { QueueName } from '@mms/contracts';
import { DbModule } from '@mms/db';
import { IMAGE_STORE, PgPoolImageStore } from '@mms/image-store';
import { QueueModule } from '@mms/queue';
import { Pool } from 'pg';
import { BarcodeProcessor } from './barcode/barcode.processor';
import { BARCODE_PG_POOL, BarcodeRepository } from './barcode/barcode.repository';
import { BarcodeService } from './barcode/barcode.service';
import { BARCODE_CONFIG, BarcodeConfig } from './config/barcode.config';
import { BARCODE_RENDERER, BwipRenderer } from '@mms/barcode-render';

@Module({})
export class BarcodeAppModule {
  static forRoot(config: BarcodeConfig): DynamicModule {
    return {
      module: BarcodeAppModule,
      imports: [
        DbModule.forRoot({ databaseUrl: config.DATABASE_URL, poolSize: config.DB_POOL_SIZE }),
        QueueModule.forRoot({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX, produces: [QueueName.Delivery], consumes: [QueueName.Barcode] }),
      ],
      providers: [
        { provide: BARCODE_CONFIG, useValue: config },
        // The render hot path's SQL and image writes go over a plain pg pool (docs/performance.md).
        { provide: BARCODE_PG_POOL, useFactory: () => new Pool({ connectionString: config.DATABASE_URL, max: config.DB_POOL_SIZE }) },
        { provide: IMAGE_STORE, useFactory: (pool: Pool) => new PgPoolImageStore(pool), inject: [BARCODE_PG_POOL] },

        { provide: BARCODE_RENDERER, useClass: BwipRenderer },
        BarcodeRepository,
        BarcodeService,
        BarcodeProcessor,
      ],
    };
  }
}
