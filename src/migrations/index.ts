import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122000000_initial } from './Migration20261122000000_initial';

// Listed explicitly rather than discovered from disk, so the same list works compiled (dist/),
// under jest's transform, and from the CLI. Append new migrations here, in order.
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261122000000_initial', class: Migration20261122000000_initial },
];
