import 'reflect-metadata';
import { loadConfig } from '../config';
import { runScript, usingDatabase } from './cli-runner';

// npm run migrate: applies pending migrations to DATABASE_URL (embedded or PostgreSQL).
runScript('Migration failed', () =>
  usingDatabase(loadConfig(), async (database) => {
    const applied = await database.migrate();
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'no pending migrations');
  }),
);
