import { MikroORM, type Options } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { DatabaseConfig } from './config';
import { startEmbeddedPostgres } from './embedded-postgres';
import { migrationsList } from './migrations';
import { Session } from './modules/auth/session.entity';
import { User } from './modules/user/user.entity';

export interface Database {
  orm: MikroORM<PostgreSqlDriver>;
  /** Closes the pool, then the embedded database if there is one. */
  close(): Promise<void>;
}

// Bounded waits: a request must fail fast rather than hang when the database is unreachable.
const ACQUIRE_TIMEOUT_MS = 10_000;
const CONNECT_TIMEOUT_MS = 5_000;

/** MikroORM options shared by the server, the migrate command and the tests. */
type PooledConnection = { query(sql: string, done: (error?: Error) => void): void };

/**
 * Embedded PGlite is a single backend session shared by every connection made to its socket, so
 * named prepared statements outlive the client that prepared them, and the next connection's
 * "prepare" would fail as a duplicate. A fresh connection therefore starts by forgetting them
 * (on a PostgreSQL server a new session has none, and this costs one round trip per connection).
 */
function forgetPreparedStatements(connection: PooledConnection, done: (error?: Error) => void): void {
  connection.query('deallocate all', (error) => done(error ?? undefined));
}

export function ormOptions(url: string, poolMax: number): Options<PostgreSqlDriver> {
  return {
    driver: PostgreSqlDriver,
    clientUrl: url,
    entities: [User, Session],
    extensions: [Migrator],
    migrations: { migrationsList, transactional: true, allOrNothing: true, snapshot: false, silent: true },
    pool: { min: 0, max: poolMax, afterCreate: forgetPreparedStatements },
    driverOptions: {
      acquireConnectionTimeout: ACQUIRE_TIMEOUT_MS,
      // node-postgres parses the URL again, so its query options (sslmode=…) apply too.
      connection: { connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS },
    },
    allowGlobalContext: false,
    discovery: { warnWhenNoEntities: false },
    debug: false,
  };
}

export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  if (config.kind === 'postgres') {
    const orm = await MikroORM.init(ormOptions(config.url, config.poolMax));
    return { orm, close: () => orm.close(true) };
  }
  const embedded = await startEmbeddedPostgres(config.dataDir);
  try {
    const orm = await MikroORM.init(ormOptions(embedded.url, 1));
    return {
      orm,
      async close() {
        await orm.close(true);
        await embedded.stop();
      },
    };
  } catch (error) {
    await embedded.stop();
    throw error;
  }
}

export async function migrate(orm: MikroORM): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((migration) => migration.name);
}
