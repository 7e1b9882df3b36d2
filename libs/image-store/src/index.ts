export * from './lib/image-store';
export * from './lib/postgres-image-store.adapter';
export * from './lib/image-store.module';
