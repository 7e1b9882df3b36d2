export * from './lib/prisma.service';
export * from './lib/db.module';
export * from './lib/message-events';
export * from './lib/message-failure';
export * from './generated/prisma/client';
