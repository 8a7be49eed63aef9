import { MikroORM } from '@mikro-orm/core';
import type { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import type { DatabaseConfig } from '../config';
import {
  listenOnDedicatedConnection,
  listenOnSharedSession,
  NotificationHub,
  type ChangeFeed,
  type ChangeFeedHandlers,
} from './change-listener';
import { startEmbeddedPostgres } from './embedded-postgres';
import { connectionOptions, ormOptions } from './orm.config';

export interface Database {
  orm: MikroORM<PostgreSqlDriver>;
  kind: DatabaseConfig['kind'];
  /** Applies pending migrations, one instance at a time; returns the names applied. */
  migrate(): Promise<string[]>;
  /** Reachable, and no migration pending. Never throws. */
  isReady(): Promise<boolean>;
  /**
   * The NOTIFY messages of `channel`: on PostgreSQL through a connection of its own (reconnected
   * when lost), on PGlite through the pool's (change-listener.ts says why). Close it before `close`.
   */
  listen(channel: string, handlers: ChangeFeedHandlers): Promise<ChangeFeed>;
  /** Closes the pool, then the embedded database if there is one. */
  close(): Promise<void>;
}

/** Names the dedicated listening connection in pg_stat_activity. */
export const LISTENER_APPLICATION_NAME = 'authapi-change-listener';
const LISTENER_HEARTBEAT_MS = 5000;
const LISTENER_RETRY_MS = { first: 100, max: 5000 };

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

/** PGlite reached by URL (the tests' shared instance) is told apart by its version string. */
async function isPglite(orm: MikroORM<PostgreSqlDriver>): Promise<boolean> {
  const [{ version }] = await orm.em.getConnection().execute<{ version: string }[]>('select version()');
  return /emscripten/i.test(version);
}

function databaseOf(
  orm: MikroORM<PostgreSqlDriver>,
  kind: DatabaseConfig['kind'],
  lock: (run: () => Promise<string[]>) => Promise<string[]>,
  listen: Database['listen'],
  close: () => Promise<void>,
): Database {
  return {
    orm,
    kind,
    listen,
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

const execute = (orm: MikroORM<PostgreSqlDriver>) => (sql: string) => orm.em.getConnection().execute(sql);

export async function openDatabase(
  config: DatabaseConfig,
  timeoutSeconds = 5,
  pool: { idleSeconds?: number } = {},
): Promise<Database> {
  const hub = new NotificationHub();
  const onNotification = hub.deliver.bind(hub);
  if (config.kind === 'postgres') {
    const orm = await MikroORM.init<PostgreSqlDriver>(
      ormOptions(config.url, config.poolMax, timeoutSeconds, { ...pool, onNotification }),
    );
    // Instances starting together take turns: the second finds nothing left to apply. The lock
    // is held on a connection of its own, outside the pool the migrations run on. (An embedded
    // PGlite reached by URL, as in the tests, serves one connection and one process: no lock.)
    const lock = async (run: () => Promise<string[]>) => {
      if (await isPglite(orm)) return run();
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
    const listen: Database['listen'] = async (channel, handlers) => {
      if (await isPglite(orm)) return listenOnSharedSession(execute(orm), hub, channel, handlers);
      const options = {
        connection: connectionOptions(config.url, timeoutSeconds * 1000),
        channel,
        applicationName: LISTENER_APPLICATION_NAME,
        heartbeatMs: LISTENER_HEARTBEAT_MS,
        retryMs: LISTENER_RETRY_MS,
      };
      return listenOnDedicatedConnection(options, handlers);
    };
    return databaseOf(orm, 'postgres', lock, listen, () => orm.close(true));
  }
  // Embedded: the data-directory lock already makes this the only process.
  const embedded = await startEmbeddedPostgres(config.dataDir);
  try {
    const orm = await MikroORM.init<PostgreSqlDriver>(
      ormOptions(embedded.url, 1, timeoutSeconds, { ...pool, embedded: true, onNotification }),
    );
    return databaseOf(
      orm,
      'pglite',
      (run) => run(),
      (channel, handlers) => listenOnSharedSession(execute(orm), hub, channel, handlers),
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
