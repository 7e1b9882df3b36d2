import { defineConfig } from 'prisma/config';

// The CLI (migrate, seed, generate) reads the database URL from here, not from the schema (Prisma 7).
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: {
    path: 'prisma/migrations',
    seed: 'node -r @swc-node/register prisma/seed.ts',
  },
  datasource: {
    url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/mmsgw',
  },
});
