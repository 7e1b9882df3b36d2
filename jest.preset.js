// Shared by every project's jest config and the root one: swc compiles TypeScript with decorator
// metadata (NestJS needs it), and the @mms/* paths map to the libs' sources.
const { resolve } = require('node:path');
const root = __dirname;

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
    // content-disposition 3 (under Bull Board's @fastify/static) ships ESM only: Node 20.19+ can
    // require() it, jest's module loader cannot, so swc turns it into CommonJS for tests.
    '^.+/node_modules/content-disposition/.+\\.js$': ['@swc/jest', { module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@mms/(contracts|config|db|queue|image-store|barcode-render|mm7|send-client)$': resolve(root, 'libs/$1/src/index.ts'),
  },
};

/** One Nx project's jest config: the same unit and integration split as the root, scoped to it. */
module.exports.projectConfig = (projectDir) => {
  const base = { ...module.exports };
  delete base.projectConfig;
  return {
    rootDir: root,
    projects: [
      { ...base, rootDir: root, displayName: 'unit', roots: [projectDir], testMatch: ['**/*.spec.ts'] },
      {
        ...base,
        rootDir: root,
        displayName: 'integration',
        roots: [projectDir],
        testMatch: ['**/*.int-spec.ts', '**/*.e2e-spec.ts'],
        globalSetup: '<rootDir>/test/global-setup.ts',
        globalTeardown: '<rootDir>/test/global-teardown.ts',
        testTimeout: 60_000,
      },
    ],
  };
};
