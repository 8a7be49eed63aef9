import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122000000_initial } from './Migration20261122000000_initial';
import { Migration20261122010000_rate_limits } from './Migration20261122010000_rate_limits';
import { Migration20261122020000_user_count } from './Migration20261122020000_user_count';

// Listed explicitly rather than discovered from disk, so the same list works compiled (dist/),
// under jest's transform, and from the CLI. Append new migrations here, in order.
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261122000000_initial', class: Migration20261122000000_initial },
  { name: 'Migration20261122010000_rate_limits', class: Migration20261122010000_rate_limits },
  { name: 'Migration20261122020000_user_count', class: Migration20261122020000_user_count },
];
