import 'reflect-metadata';
import { createPrismaClient } from '@mms/db';
import { seedDevWorld } from './seed-world';

/** `npm run db:seed`: the dev seed world. Never in production mode. */
async function main(): Promise<void> {
  if (process.env.NODE_ENV === 'production') {
    throw new Error('the dev seed is never applied in production mode (NODE_ENV=production)');
  }
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL is required');
  const prisma = createPrismaClient(databaseUrl, 2);
  try {
    const summary = await seedDevWorld(prisma, process.env.DEMO_POSTBACK_URL || null);
    console.log(
      [
        'dev seed applied:',
        `  accounts:   ${summary.accounts.join(', ')}`,
        `  templates:  ${summary.templates.join(', ')}`,
        `  databases:  ${summary.databases.join(', ')}`,
        `  campaigns:  ${summary.campaigns.join(', ')} (16501234123 subscribed to 12333)`,
        '  demo API key qTFkykO9JTfahCOqJ0V2Wf5Cg1t8iWlZ, short code 60856',
      ].join('\n'),
    );
  } finally {
    await prisma.$disconnect();
  }
}

main().catch((error: unknown) => {
  console.error(`db:seed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
