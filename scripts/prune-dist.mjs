// `tsc -b` compiles incrementally and never deletes: the output of a source file that was renamed
// or removed would stay in dist/. That matters where dist/ is read by listing, as the migrations
// are (src/db/migrations/index.ts). Removes every compiled file whose source is gone.
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');

function prune(directory) {
  if (!existsSync(directory)) return;
  for (const name of readdirSync(directory)) {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) {
      if (relative(dist, path) !== 'explorer') prune(path);
      continue;
    }
    const compiled = /^(.*)\.(js|js\.map|d\.ts|d\.ts\.map)$/.exec(name);
    if (!compiled) continue;
    const source = join(root, 'src', relative(dist, directory), `${compiled[1]}.ts`);
    if (!existsSync(source)) rmSync(path);
  }
}

prune(dist);
