export * from './lib/releases';
export * from './lib/status';
export * from './lib/address';
export * from './lib/envelope';
export * from './lib/response';
export * from './lib/submit-req';
export * from './lib/submit-rsp';
export * from './lib/delivery-report';
