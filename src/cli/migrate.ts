import 'reflect-metadata';
import { ConfigError, loadConfig } from '../config';
import { openDatabase } from '../db/database';

// npm run migrate: applies pending migrations to DATABASE_URL (embedded or PostgreSQL).
async function main(): Promise<void> {
  const config = loadConfig();
  const database = await openDatabase(config.database, config.databaseTimeoutSeconds);
  try {
    const applied = await database.migrate();
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'no pending migrations');
  } finally {
    await database.close();
  }
}

main().catch((error) => {
  console.error(
    error instanceof ConfigError
      ? error.message
      : `Migration failed: ${error instanceof Error ? error.message : error}`,
  );
  process.exit(1);
});
