import { MikroORM } from '@mikro-orm/core';
import type { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import type { DatabaseConfig } from '../config';
import { startEmbeddedPostgres } from './embedded-postgres';
import { ormOptions } from './orm.config';

export interface Database {
  orm: MikroORM<PostgreSqlDriver>;
  kind: DatabaseConfig['kind'];
  /** Applies pending migrations, one instance at a time; returns the names applied. */
  migrate(): Promise<string[]>;
  /** Reachable, and no migration pending. Never throws. */
  isReady(): Promise<boolean>;
  /** Closes the pool, then the embedded database if there is one. */
  close(): Promise<void>;
}

// Any fixed number: the key of the session-level advisory lock that serialises migrations.
const MIGRATION_LOCK_KEY = 7_036_541_207;

async function withTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function databaseOf(
  orm: MikroORM<PostgreSqlDriver>,
  kind: DatabaseConfig['kind'],
  lock: (run: () => Promise<string[]>) => Promise<string[]>,
  close: () => Promise<void>,
): Database {
  return {
    orm,
    kind,
    migrate: () => lock(async () => (await orm.getMigrator().up()).map((migration) => migration.name)),
    isReady: () =>
      withTimeout(
        orm
          .getMigrator()
          .getPendingMigrations()
          .then((pending) => pending.length === 0)
          .catch(() => false),
        3000,
        false,
      ),
    close,
  };
}

export async function openDatabase(
  config: DatabaseConfig,
  timeoutSeconds = 5,
  pool: { idleSeconds?: number } = {},
): Promise<Database> {
  if (config.kind === 'postgres') {
    const orm = await MikroORM.init<PostgreSqlDriver>(ormOptions(config.url, config.poolMax, timeoutSeconds, pool));
    // Instances starting together take turns: the second finds nothing left to apply. The lock
    // is held on a connection of its own, outside the pool the migrations run on. (An embedded
    // PGlite reached by URL, as in the tests, serves one connection and one process: no lock.)
    const lock = async (run: () => Promise<string[]>) => {
      const [{ version }] = await orm.em.getConnection().execute<{ version: string }[]>('select version()');
      if (/emscripten/i.test(version)) return run();
      const client = new Client({ connectionString: config.url, connectionTimeoutMillis: timeoutSeconds * 1000 });
      client.on('error', () => undefined);
      await client.connect();
      try {
        await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
        return await run();
      } finally {
        await client.end().catch(() => undefined);
      }
    };
    return databaseOf(orm, 'postgres', lock, () => orm.close(true));
  }
  // Embedded: the data-directory lock already makes this the only process.
  const embedded = await startEmbeddedPostgres(config.dataDir);
  try {
    const orm = await MikroORM.init<PostgreSqlDriver>(
      ormOptions(embedded.url, 1, timeoutSeconds, { ...pool, embedded: true }),
    );
    return databaseOf(
      orm,
      'pglite',
      (run) => run(),
      async () => {
        await orm.close(true);
        await embedded.stop();
      },
    );
  } catch (error) {
    await embedded.stop();
    throw error;
  }
}
