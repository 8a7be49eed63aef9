import { createHash } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/core';
import type { PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import {
  RateLimiterPostgres,
  RateLimiterRedis,
  RateLimiterRes,
  type IRateLimiterStoreOptions,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';

// Every counter (login, registration, mail) lives where every server instance sees it: Redis
// with REDIS_URL, else one PostgreSQL table (the RateLimit entity), told apart by keyPrefix.

/** Where the counters are kept: Redis when there is one, else the database. */
export interface RateLimiterStore {
  orm: MikroORM<PostgreSqlDriver>;
  redis: Redis | null;
}

export interface RateLimiterOptions {
  keyPrefix: string;
  points: number;
  duration: number;
  /**
   * PostgreSQL only: delete the expired rows of the whole table on a timer. The table is shared,
   * so one limiter in a process sweeping it is enough; the others leave it off.
   */
  clearExpiredByTimeout?: boolean;
}

export function createRateLimiter(store: RateLimiterStore, options: RateLimiterOptions): RateLimiterAbstract {
  const { clearExpiredByTimeout = false, ...limits } = options;
  const base: IRateLimiterStoreOptions = { ...limits, storeClient: store.redis };
  if (store.redis) return new RateLimiterRedis(base);
  return new RateLimiterPostgres({
    ...base,
    storeClient: store.orm.em.getConnection().getKnex(),
    storeType: 'knex',
    tableName: 'rate_limits',
    tableCreated: true,
    clearExpiredByTimeout,
  });
}

/** Takes one point; the limiter's refusal when there was none left, else null. */
export async function tryConsume(limiter: RateLimiterAbstract, key: string): Promise<RateLimiterRes | null> {
  try {
    await limiter.consume(key);
    return null;
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) return rejection;
    throw rejection;
  }
}

/** A key for what must not be stored as typed (a login name, an email address): its digest. */
export function limiterKeyDigest(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}
