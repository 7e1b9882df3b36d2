export * from './lib/barcode-renderer';
export * from './lib/bwip-renderer.adapter';
