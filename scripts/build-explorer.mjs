// Bundles the offline explorer (explorer/: GraphiQL, React, Monaco and its web workers, their CSS
// and fonts) into dist/explorer/, which the server serves under /graphql/explorer/. Part of
// `npm run build`; skipped when the bundle is newer than its sources and package-lock.json.
//   node scripts/build-explorer.mjs [--force]
import { existsSync, readdirSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sourceDir = join(root, 'explorer');
const outDir = join(root, 'dist', 'explorer');
const marker = join(outDir, 'explorer.js');

function newestMtime(paths) {
  let newest = 0;
  for (const path of paths) {
    const stat = statSync(path);
    if (stat.isDirectory()) {
      newest = Math.max(newest, newestMtime(readdirSync(path).map((name) => join(path, name))));
    } else newest = Math.max(newest, stat.mtimeMs);
  }
  return newest;
}

const inputs = [sourceDir, join(root, 'package-lock.json'), fileURLToPath(import.meta.url)];
if (!process.argv.includes('--force') && existsSync(marker) && statSync(marker).mtimeMs > newestMtime(inputs)) {
  process.exit(0);
}

const started = Date.now();
await rm(outDir, { recursive: true, force: true });
const common = {
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['chrome111', 'firefox111', 'safari16'],
  outdir: outDir,
  logLevel: 'warning',
  legalComments: 'none',
  define: { 'process.env.NODE_ENV': '"production"' },
};
// Monaco's workers run as classic scripts next to the page script (see explorer/main.tsx).
await build({
  ...common,
  entryPoints: {
    'editor.worker': 'monaco-editor/esm/vs/editor/editor.worker.js',
    'json.worker': 'monaco-editor/esm/vs/language/json/json.worker.js',
    'graphql.worker': 'monaco-graphql/esm/graphql.worker.js',
  },
});
// The page script last: its mtime is what the up-to-date check compares.
await build({
  ...common,
  entryPoints: { explorer: join(sourceDir, 'main.tsx') },
  jsx: 'automatic',
  loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file', '.svg': 'file' },
  assetNames: '[name]-[hash]',
});
console.log(`explorer bundled into dist/explorer/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
