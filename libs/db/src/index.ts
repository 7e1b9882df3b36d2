export * from './lib/pg-pool';
export * from './lib/db-config';
export * from './lib/prisma.service';
export * from './lib/db.module';
export * from './lib/message-ledger';
export * from './generated/prisma/client';
