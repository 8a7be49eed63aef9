// Runs the TypeScript sources directly (npm run dev): every required .ts file is compiled in memory by
// @swc/core with the repository's .swcrc, the same transform the tests use through @swc/jest.
// esbuild-based runners (tsx) cannot be used here: they emit no decorator metadata, which
// type-graphql and MikroORM read to learn field and column types.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { transformSync } = require('@swc/core');

const swcrc = JSON.parse(readFileSync(join(__dirname, '..', '.swcrc'), 'utf8'));
delete swcrc.$schema;

process.setSourceMapsEnabled(true);

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const { code } = transformSync(readFileSync(filename, 'utf8'), { ...swcrc, filename, swcrc: false });
  module._compile(code, filename);
};
