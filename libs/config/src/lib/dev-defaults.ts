/**
 * The development world's credentials: what .env.example, `npm start` and the dev seed use. They
 * are public (the README prints them), so production mode refuses every one (production.ts), and
 * the dev seed (prisma/seed-world.ts) takes its keys from here: one list for both sides.
 */

/** The dev seed's API keys (FIXED-POINTS.md), by the account that holds them. */
export const DEV_SEED_API_KEYS = {
  demo: 'qTFkykO9JTfahCOqJ0V2Wf5Cg1t8iWlZ',
  broke: 'zeroCreditsTestKey00000000000000',
  inactive: 'apiNotActivatedTestKey0000000000',
  norights: 'noApiRightsTestKey00000000000000',
  noaction: 'noActionRightTestKey000000000000',
  other: 'otherAccountTestKey0000000000000',
} as const;

/** The dev seed's legacy USER/PASS login (account `legacy`). */
export const DEV_SEED_LEGACY_LOGIN = { user: 'legacy', password: 'legacy-pass' } as const;

/** The demo account's postback signing key, so the simulator's postback page can check signatures. */
export const DEV_SEED_POSTBACK_SECRET = 'dev-postback-secret-of-the-demo-account';

/** Secrets of the development setup, with where they come from (for the refusal's message). */
export const DEV_SECRETS: ReadonlyMap<string, string> = new Map([
  ['dev-admin-password', 'ADMIN_PASSWORD of .env.example and npm start'],
  ['dev-mmsc-password', 'MM7_INBOUND_PASSWORD of .env.example and npm start'],
  [DEV_SEED_POSTBACK_SECRET, "the dev seed's postback secret"],
  [DEV_SEED_LEGACY_LOGIN.password, "the dev seed's legacy password"],
  ['postgres', 'the PostgreSQL password of the development compose file'],
]);
