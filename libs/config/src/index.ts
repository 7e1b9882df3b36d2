export * from './lib/env';
export * from './lib/logger';
export * from './lib/reachability';
export * from './lib/shutdown';
export * from './lib/worker-processes';
export * from './lib/log-context';
export * from './lib/dev-defaults';
export * from './lib/production';
