import jest from 'eslint-plugin-jest';
import tseslint from 'typescript-eslint';

// A short list of rules that catch real bugs in async, money-moving code; formatting is Prettier's.
export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', '.angular/**', 'bench/results/**', 'data/**', '*.config.js', 'eslint.config.js'],
  },
  {
    files: ['**/*.ts', '**/*.cts'],
    ignores: ['strategies/**'],
    languageOptions: {
      parser: tseslint.parser,
      // Each part is checked against its own compiler options: the server, libs, plugins and tests;
      // the admin (browser, Angular); the bench.
      parserOptions: {
        project: ['./tsconfig.spec.json', './apps/admin/tsconfig.app.json', './apps/admin/tsconfig.spec.json', './bench/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    // Strategy scripts are checked against their own API (strategies/tradeloop.d.ts), not Node's.
    files: ['strategies/**/*.ts'],
    ignores: ['strategies/tradeloop.d.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { project: ['./strategies/tsconfig.json'], tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    // The domain library runs in the server, the plugins and the admin's browser bundle: its own
    // files, the shared contracts and zod (pure, browser-safe) only — no node:, Nest, TypeORM or any
    // other package.
    files: ['libs/domain/src/**/*.ts'],
    ignores: ['libs/domain/src/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!\\.{1,2}/|@tradeloop/contracts$|zod$)',
              message: 'libs/domain is pure and browser-safe: import only its own files, @tradeloop/contracts and zod.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts', 'libs/broker-contract/src/**/*.ts'],
    plugins: { jest },
    rules: {
      'jest/no-focused-tests': 'error',
      'jest/no-disabled-tests': 'error',
      'jest/no-identical-title': 'error',
    },
  },
);
