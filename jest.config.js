// Every test runs on embedded PGlite; with TEST_DATABASE_URL set, the integration tests run a
// second time against that PostgreSQL server. Files run one after another (see README: the
// integration tests share one database per project and PGlite serves one connection).
const base = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['@swc/jest'],
    // jose 6 is ESM only: Node 20 loads it with require(esm), jest's module system does not.
    '/node_modules/jose/.+\\.js$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'ecmascript' } }, module: { type: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  setupFiles: ['reflect-metadata'],
};

const projects = [
  { ...base, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
  {
    ...base,
    displayName: 'pglite',
    testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
    globalSetup: '<rootDir>/test/support/pglite-global-setup.ts',
    globalTeardown: '<rootDir>/test/support/pglite-global-teardown.ts',
    globals: { TEST_DATABASE: 'pglite' },
  },
];

if (process.env.TEST_DATABASE_URL) {
  projects.push({
    ...base,
    displayName: 'postgres',
    testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
    globals: { TEST_DATABASE: 'postgres' },
  });
}

module.exports = { projects, maxWorkers: 1, testTimeout: 30000 };
