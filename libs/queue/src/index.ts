export * from './lib/connection';
export * from './lib/job-options';
export * from './lib/job-producer';
export * from './lib/queue.module';
export * from './lib/processor-support';
export * from './lib/queue-health';
export * from './lib/micro-batch';
