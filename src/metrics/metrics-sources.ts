import type { MikroORM } from '@mikro-orm/core';
import type { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { SessionCacheStats } from '../modules/auth/session-cache';

// Metrics that are states kept elsewhere, read when Prometheus scrapes: nothing is added to the
// paths that change them.

export interface MetricsSources {
  hasher: { readonly running: number; readonly queueDepth: number; readonly rejected: number };
  sessionCache: { stats(): SessionCacheStats };
  orm: MikroORM<PostgreSqlDriver>;
}

/** tarn's pool, under knex, under MikroORM 6; absent before the first connection and after close. */
interface PoolState {
  max: number;
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  numPendingCreates(): number;
}

function poolOf(orm: MikroORM<PostgreSqlDriver>): PoolState | undefined {
  try {
    return (orm.em.getConnection().getKnex().client as { pool?: PoolState }).pool ?? undefined;
  } catch {
    return undefined;
  }
}

export function watchSources(registry: Registry, sources: MetricsSources): void {
  const gauge = (name: string, help: string, read: () => number | undefined) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read() ?? 0);
      },
    });
  // A counter kept by its owner: the scrape copies the owner's running total.
  const total = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  const { hasher, sessionCache, orm } = sources;
  gauge('authapi_password_hash_running', 'bcrypt hashes running now (at most HASH_CONCURRENCY).', () => hasher.running);
  gauge(
    'authapi_password_hash_queue_depth',
    'bcrypt hashes waiting for a slot (at most HASH_QUEUE_MAX).',
    () => hasher.queueDepth,
  );
  total(
    'authapi_password_hash_rejections_total',
    'Hashes refused because the queue was full (answered TOO_MANY_REQUESTS).',
    () => hasher.rejected,
  );
  const cache = () => sessionCache.stats();
  total('authapi_session_cache_hits_total', 'Session cache lookups answered from memory.', () => cache().hits);
  total('authapi_session_cache_misses_total', 'Session cache lookups that went to the database.', () => cache().misses);
  total(
    'authapi_session_cache_evictions_total',
    'Session cache entries pushed out by its size cap.',
    () => cache().evictions,
  );
  total(
    'authapi_session_cache_invalidations_total',
    'Session cache entries dropped because their session or user changed (here or on another instance).',
    () => cache().invalidations,
  );
  total(
    'authapi_session_cache_bypasses_total',
    'Lookups sent to the database because the change feed was not confirmed (the listener was down).',
    () => cache().bypasses,
  );
  gauge('authapi_session_cache_entries', 'Tokens held in the session cache now.', () => cache().size);
  gauge('authapi_db_pool_connections_used', 'Database connections lent out now.', () => poolOf(orm)?.numUsed());
  gauge('authapi_db_pool_connections_free', 'Idle database connections in the pool.', () => poolOf(orm)?.numFree());
  gauge('authapi_db_pool_pending_acquires', 'Requests waiting for a database connection.', () =>
    poolOf(orm)?.numPendingAcquires(),
  );
  gauge('authapi_db_pool_pending_creates', 'Database connections being opened.', () =>
    poolOf(orm)?.numPendingCreates(),
  );
  gauge('authapi_db_pool_connections_max', 'The pool size (DATABASE_POOL_MAX).', () => poolOf(orm)?.max);
}
