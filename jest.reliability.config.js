// Reliability tests: they drive the compiled server (dist/main.js, built by `npm run test:reliability`)
// as real processes, with private PostgreSQL clusters and embedded data directories. The files
// run one after another: they start servers, kill them and stop databases.
module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  testMatch: ['<rootDir>/test/reliability/**/*.test.ts'],
  maxWorkers: 1,
  testTimeout: 60000,
};
