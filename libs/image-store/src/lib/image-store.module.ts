import { Module } from '@nestjs/common';
import { IMAGE_STORE } from './image-store';
import { PostgresImageStore } from './postgres-image-store.adapter';

@Module({
  providers: [{ provide: IMAGE_STORE, useClass: PostgresImageStore }],
  exports: [IMAGE_STORE],
})
export class ImageStoreModule {}
