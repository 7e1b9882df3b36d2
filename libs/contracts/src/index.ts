export * from './lib/queues';
export * from './lib/tracking-id';
export * from './lib/message-status';
export * from './lib/error-catalogue';
export * from './lib/partner-request';
export * from './lib/barcode-settings';
export * from './lib/barcode-encodability';
export * from './lib/xml-escape';
