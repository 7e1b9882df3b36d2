export * from './lib/barcode-renderer';
export * from './lib/bwip-renderer.adapter';
export * from './lib/handset-fit';
export * from './lib/matrix-png-renderer.adapter';
