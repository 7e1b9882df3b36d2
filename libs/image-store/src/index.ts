export * from './lib/image-store';
export * from './lib/pg-image-store.adapter';
export * from './lib/image-store.module';
