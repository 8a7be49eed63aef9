// Browser tests: headless Debian Chromium (/usr/bin/chromium) driven by playwright-core against the
// COMPILED server (dist/main.js and the explorer bundle in dist/explorer/, built by
// `npm run test:browser`), with every request to a host other than this machine refused.
module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  testMatch: ['<rootDir>/test/browser/**/*.test.ts'],
  maxWorkers: 1,
  testTimeout: 180000,
};
