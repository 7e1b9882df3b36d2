import { Module } from '@nestjs/common';
import { IMAGE_STORE } from './image-store';
import { PgImageStore } from './pg-image-store.adapter';

/** The image store on the process's shared pool (needs DbModule). */
@Module({
  providers: [{ provide: IMAGE_STORE, useClass: PgImageStore }],
  exports: [IMAGE_STORE],
})
export class ImageStoreModule {}
