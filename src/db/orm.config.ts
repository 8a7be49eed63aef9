import { Migrator } from '@mikro-orm/migrations';
import type { Options } from '@mikro-orm/core';
import { defineConfig, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { RateLimit } from '../modules/auth/rate-limit.entity';
import { MailOutbox } from '../modules/mail/mail-outbox.entity';
import { MailToken } from '../modules/mail/mail-token.entity';
import { Session } from '../modules/auth/session.entity';
import { SigningKey } from '../modules/auth/signing-key.entity';
import { Group } from '../modules/permission/group.entity';
import { Permission } from '../modules/permission/permission.entity';
import { LoginName } from '../modules/user/login-name.entity';
import { UserStats } from '../modules/user/user-stats.entity';
import { User } from '../modules/user/user.entity';
import type { NotificationMessage } from './change-listener';
import { migrationsList } from './migrations';

export const entities = [
  User,
  UserStats,
  LoginName,
  Session,
  RateLimit,
  SigningKey,
  Permission,
  Group,
  MailToken,
  MailOutbox,
];

type PooledConnection = {
  query(sql: string, done: (error?: Error) => void): void;
  on(event: 'notification', listener: (message: NotificationMessage) => void): void;
};

/**
 * Every new pooled connection, in one round trip:
 * - bounds each statement on the server, so a stuck query cannot hold a connection for long;
 * - forgets prepared statements: embedded PGlite is a single backend session shared by every
 *   connection made to its socket, so named statements outlive the client that prepared them and
 *   the next connection's "prepare" would fail as a duplicate (a server session starts with none).
 */
function prepareConnection(timeoutMs: number, onNotification?: (message: NotificationMessage) => void) {
  return (connection: PooledConnection, done: (error?: Error) => void): void => {
    if (onNotification) connection.on('notification', onNotification);
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
  /** Receives NOTIFY messages arriving on pooled connections (PGlite's shared session: change-listener.ts). */
  onNotification?: (message: NotificationMessage) => void;
}

/**
 * The knex (tarn) pool. A PostgreSQL pool shrinks to nothing when idle. The embedded one must
 * not: its socket server takes one connection at a time and notices a closed one only a few
 * event-loop turns later, so a connection opened just as the idle one was reaped was refused
 * (`write EPIPE` at startup) and the request failed. It keeps its single connection open
 * (min 1), and if that connection ever breaks, opening the next is retried until the acquire
 * timeout instead of failing the request at the first refusal.
 */
export function poolSettings(poolMax: number, timeoutMs: number, options: PoolOptions) {
  const afterCreate = prepareConnection(timeoutMs, options.onNotification);
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

/** node-postgres options for the pool, and for connections of their own (the change listener). */
export function connectionOptions(url: string, timeoutMs: number) {
  return {
    // node-postgres parses the URL again, so its query options (sslmode=…) apply too.
    connectionString: url,
    connectionTimeoutMillis: timeoutMs,
    // If no answer comes at all (a vanished network), the client gives up a little after the
    // server-side statement timeout would have fired.
    query_timeout: timeoutMs + 1000,
  };
}

/**
 * The one MikroORM configuration: the server, the tests and the CLI (mikro-orm.config.ts) all
 * build their ORM from it. Every wait is bounded, so that when the database goes away requests
 * fail fast (SERVICE_UNAVAILABLE) instead of hanging.
 */
export function ormOptions(
  url: string,
  poolMax: number,
  timeoutSeconds = 5,
  pool: PoolOptions = {},
): Options<PostgreSqlDriver> {
  const timeoutMs = timeoutSeconds * 1000;
  return defineConfig({
    driver: PostgreSqlDriver,
    clientUrl: url,
    entities,
    extensions: [Migrator],
    migrations: {
      // Read from the list (compiled, under jest and under the CLI alike); `migration:create`
      // writes new files beside it. The snapshot (what it diffs the entities against) is the
      // CLI's alone (mikro-orm.config.ts): a server applying migrations must not rewrite sources.
      migrationsList,
      path: 'dist/db/migrations',
      pathTs: 'src/db/migrations',
      snapshot: false,
      snapshotName: '.snapshot',
      transactional: true,
      allOrNothing: true,
      silent: true,
    },
    pool: poolSettings(poolMax, timeoutMs, pool),
    driverOptions: {
      acquireConnectionTimeout: timeoutMs,
      connection: connectionOptions(url, timeoutMs),
    },
    allowGlobalContext: false,
    discovery: { warnWhenNoEntities: false },
    debug: false,
  });
}
