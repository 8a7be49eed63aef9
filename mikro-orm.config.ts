import 'reflect-metadata';
import { loadConfig } from './src/config';
import { startEmbeddedPostgres } from './src/db/embedded-postgres';
import { ormOptions } from './src/db/orm.config';

/**
 * The MikroORM CLI's configuration (`npx mikro-orm migration:list`, `schema:update --dump`, …):
 * the options the server builds (src/db/orm.config.ts), for the DATABASE_URL that src/config.ts
 * reads. An embedded PGlite directory is opened here as the server opens it, and only while the
 * server does not hold it.
 */
export default async () => withSnapshot(await cliOptions());

/** `migration:create` diffs the entities against src/db/migrations/.snapshot.json and updates it. */
function withSnapshot(options: ReturnType<typeof ormOptions>) {
  return { ...options, migrations: { ...options.migrations, snapshot: true } };
}

async function cliOptions() {
  const config = loadConfig();
  const { database } = config;
  if (database.kind === 'postgres') {
    return ormOptions(database.url, database.poolMax, config.databaseTimeoutSeconds);
  }
  const embedded = await startEmbeddedPostgres(database.dataDir, { background: true });
  // The CLI closes its ORM and lets the process end; the embedded database then closes too.
  process.once('beforeExit', () => void embedded.stop());
  return ormOptions(embedded.url, 1, config.databaseTimeoutSeconds);
}
