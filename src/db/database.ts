import { MikroORM, type Options } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import type { DatabaseConfig } from '../config';
import { startEmbeddedPostgres } from './embedded-postgres';
import { migrationsList } from './migrations';
import { Session } from '../modules/auth/session.entity';
import { User } from '../modules/user/user.entity';

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

type PooledConnection = { query(sql: string, done: (error?: Error) => void): void };

/**
 * Every new pooled connection, in one round trip:
 * - bounds each statement on the server, so a stuck query cannot hold a connection for long;
 * - forgets prepared statements: embedded PGlite is a single backend session shared by every
 *   connection made to its socket, so named statements outlive the client that prepared them and
 *   the next connection's "prepare" would fail as a duplicate (a server session starts with none).
 */
function prepareConnection(timeoutMs: number) {
  return (connection: PooledConnection, done: (error?: Error) => void): void => {
    connection.query(`deallocate all; set statement_timeout = ${Math.trunc(timeoutMs)}`, (error) =>
      done(error ?? undefined),
    );
  };
}

export interface PoolOptions {
  /** A connection unused this long is closed (but never the embedded database's only one). */
  idleSeconds?: number;
  /** Embedded PGlite behind its socket: one connection, kept open. */
  embedded?: boolean;
}

/**
 * The knex (tarn) pool. A PostgreSQL pool shrinks to nothing when idle. The embedded one must
 * not: its socket server takes one connection at a time and notices a closed one only a few
 * event-loop turns later, so a connection opened just as the idle one was reaped was refused
 * (`write EPIPE` at startup) and the request failed. It keeps its single connection open
 * (min 1), and if that connection ever breaks, opening the next is retried until the acquire
 * timeout instead of failing the request at the first refusal.
 */
function poolSettings(poolMax: number, timeoutMs: number, options: PoolOptions) {
  const afterCreate = prepareConnection(timeoutMs);
  const idleTimeoutMillis = (options.idleSeconds ?? 30) * 1000;
  if (options.embedded) {
    return {
      min: 1,
      max: 1,
      idleTimeoutMillis,
      propagateCreateError: false,
      createRetryIntervalMillis: 100,
      afterCreate,
    };
  }
  return { min: 0, max: poolMax, idleTimeoutMillis, afterCreate };
}

/**
 * MikroORM options shared by the server, the CLI and the tests. Every wait is bounded, so that
 * when the database goes away requests fail fast (SERVICE_UNAVAILABLE) instead of hanging.
 */
export function ormOptions(
  url: string,
  poolMax: number,
  timeoutSeconds = 5,
  pool: PoolOptions = {},
): Options<PostgreSqlDriver> {
  const timeoutMs = timeoutSeconds * 1000;
  return {
    driver: PostgreSqlDriver,
    clientUrl: url,
    entities: [User, Session],
    extensions: [Migrator],
    migrations: { migrationsList, transactional: true, allOrNothing: true, snapshot: false, silent: true },
    pool: poolSettings(poolMax, timeoutMs, pool),
    driverOptions: {
      acquireConnectionTimeout: timeoutMs,
      connection: {
        // node-postgres parses the URL again, so its query options (sslmode=…) apply too.
        connectionString: url,
        connectionTimeoutMillis: timeoutMs,
        // If no answer comes at all (a vanished network), the client gives up a little after the
        // server-side statement timeout would have fired.
        query_timeout: timeoutMs + 1000,
      },
    },
    allowGlobalContext: false,
    discovery: { warnWhenNoEntities: false },
    debug: false,
  };
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
    const orm = await MikroORM.init(ormOptions(config.url, config.poolMax, timeoutSeconds, pool));
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
    const orm = await MikroORM.init(ormOptions(embedded.url, 1, timeoutSeconds, { ...pool, embedded: true }));
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
