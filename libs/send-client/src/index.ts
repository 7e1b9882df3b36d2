export * from './lib/send-client';
export * from './lib/send-client.module';
export * from './lib/send-client.config';
export * from './lib/send-errors';
export * from './lib/send-packets';
export * from './lib/send-job-options';
