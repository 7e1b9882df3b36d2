// `npm test`: two projects. Unit tests (*.spec.ts) need nothing; integration and end-to-end
// tests (*.int-spec.ts, *.e2e-spec.ts) get a throw-away PostgreSQL database and Redis prefix
// per run from test/global-setup.ts, dropped again in test/global-teardown.ts.
const preset = { ...require('./jest.preset') };
delete preset.projectConfig;

const roots = ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/prisma', '<rootDir>/scripts', '<rootDir>/test'];

module.exports = {
  // Integration tests boot apps and wait on real servers; unit tests finish far below this.
  testTimeout: 30_000,
  projects: [
    { ...preset, displayName: 'unit', roots, testMatch: ['**/*.spec.ts'] },
    {
      ...preset,
      displayName: 'integration',
      roots,
      testMatch: ['**/*.int-spec.ts', '**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
      testTimeout: 60_000,
    },
  ],
};
