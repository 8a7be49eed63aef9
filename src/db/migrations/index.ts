import type { MigrationObject } from '@mikro-orm/core';
import { readdirSync } from 'node:fs';

// Every Migration<timestamp>_<name> file beside this one, in order: compiled (.js in dist/), under
// jest's transform and under the MikroORM CLI (.ts) alike. `npx mikro-orm migration:create` adds
// a file here; nothing else needs editing.
export const migrationsList: MigrationObject[] = readdirSync(__dirname)
  .filter((file) => /^Migration\d{14}\w*\.(js|ts)$/.test(file) && !file.endsWith('.d.ts'))
  .sort()
  .map((file) => {
    const name = file.replace(/\.(js|ts)$/, '');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const module = require(`./${file}`) as Record<string, MigrationObject['class']>;
    return { name, class: module[name] ?? Object.values(module)[0] };
  });
