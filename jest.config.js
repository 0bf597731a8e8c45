// Jest runs in native ESM mode (NestJS 12 ships ES modules only): see the `test` script for the node flags.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  },
];

/**
 * Suites whose assertions compare times or need the machine's throughput: they run after the rest,
 * one at a time (`TEST_MEASURED=only`), so that other suites' servers do not share the CPU with them.
 * `TEST_MEASURED=include` runs everything together (e.g. a single suite named on the command line).
 */
const MEASURED = [
  '/test/integration/scripts/sandbox-fairness.test.ts',
  '/test/integration/auth/login-limits.test.ts',
  // /api/health's median under a /ws flood: a bound on the machine's speed as much as the server's.
  '/test/integration/realtime/ws-limits.test.ts',
];
const named = process.argv.slice(2).filter((a) => !a.startsWith('-') && !a.endsWith('.js'));
const measured =
  process.env.TEST_MEASURED ?? (named.some((a) => MEASURED.some((m) => m.includes(a.replace(/^\.\//, '')))) ? 'include' : 'exclude');

export default {
  // Node's, with a buffer that keeps server logs out of the output unless a test fails.
  testEnvironment: '<rootDir>/test/support/quiet-environment.ts',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    '^@tradeloop/contracts$': '<rootDir>/libs/contracts/src/index.ts',
    '^@tradeloop/domain$': '<rootDir>/libs/domain/src/index.ts',
    '^@tradeloop/broker-contract$': '<rootDir>/libs/broker-contract/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch:
    measured === 'only'
      ? MEASURED.map((m) => `<rootDir>${m}`)
      : ['<rootDir>/{apps,libs,plugins}/**/src/**/*.spec.ts', '<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: [
    '/node_modules/',
    '/dist/',
    '<rootDir>/apps/admin/',
    ...(measured === 'exclude' ? MEASURED.map((m) => `<rootDir>${m}`) : []),
  ],
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  // Redis and PostgreSQL answer before any suite starts (or the run stops with what to do).
  globalSetup: '<rootDir>/test/support/preflight.ts',
  globalTeardown: '<rootDir>/test/support/teardown.ts',
  testTimeout: 30000,
  // A worker keeps every test file's modules (ES modules in VM contexts are not freed): two workers
  // grew past 1 GB each in 40 files, and late in a full run a server's start in them took over 30 s
  // (0.7 s alone). A worker over this after a file is replaced by a fresh one.
  workerIdleMemoryLimit: '1GB',
};
