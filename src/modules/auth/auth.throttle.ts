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
import type { MiddlewareFn } from 'type-graphql';
import type { Config } from '../../config';
import type { Context } from '../../context';
import { AppError, ErrorCode, messages } from '../../errors';

// Brute force and credential stuffing defences. The counters live where every server instance
// sees them (PostgreSQL by default, Redis with REDIS_URL), so N instances are one service.
//
// Attempts are counted *before* the password is checked and refunded on success: a burst of
// parallel guesses cannot slip past a limit while the first ones are still being hashed.

export interface LoginAttempt {
  /** A correct password: forget this account+IP's failures and refund the reserved counts. */
  succeeded(): Promise<void>;
}

export interface Throttle {
  /** Refuses with TOO_MANY_REQUESTS (no hashing) or reserves the attempt for this account. */
  beginLogin(account: string, ip: string): Promise<LoginAttempt>;
  /** Counts one registration attempt from this IP, refusing past the cap. */
  beginRegistration(ip: string): Promise<void>;
  close(): Promise<void>;
}

export function tooManyRequests(msBeforeNext: number): AppError {
  const retryAfter = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new AppError(ErrorCode.TOO_MANY_REQUESTS, messages.tooManyRequests(retryAfter), { retryAfter });
}

/** Accounts are stored as digests: the limiter table never holds a login name or an email. */
function accountKey(account: string): string {
  return createHash('sha256').update(account).digest('base64url');
}

// How long the consecutive-failure count of an account+IP is remembered without new failures.
const CONSECUTIVE_MEMORY_SECONDS = 24 * 3600;

type LimiterFactory = (options: { keyPrefix: string; points: number; duration: number }) => RateLimiterAbstract;

export function createThrottle(config: Config, orm: MikroORM<PostgreSqlDriver>, redis: Redis | null): Throttle {
  const limits = config.throttle;
  const makeLimiter: LimiterFactory = (options) => {
    const base: IRateLimiterStoreOptions = { ...options, storeClient: redis };
    if (redis) return new RateLimiterRedis(base);
    // One table (made by a migration) for every limiter, told apart by keyPrefix.
    return new RateLimiterPostgres({
      ...base,
      storeClient: orm.em.getConnection().getKnex(),
      storeType: 'knex',
      tableName: 'rate_limits',
      tableCreated: true,
      clearExpiredByTimeout: options.keyPrefix === 'login_consecutive',
    });
  };
  const consecutive = makeLimiter({
    keyPrefix: 'login_consecutive',
    points: 1e9,
    duration: CONSECUTIVE_MEMORY_SECONDS,
  });
  const delay = makeLimiter({ keyPrefix: 'login_delay', points: 1, duration: 1 });
  const perAccount = makeLimiter({
    keyPrefix: 'login_account',
    points: limits.loginFailuresPerAccount,
    duration: limits.loginFailuresPerAccountWindowSeconds,
  });
  const perIp = makeLimiter({
    keyPrefix: 'login_ip',
    points: limits.loginFailuresPerIp,
    duration: limits.loginFailuresPerIpWindowSeconds,
  });
  const registrations = makeLimiter({
    keyPrefix: 'register_ip',
    points: limits.registrationsPerIp,
    duration: limits.registrationsPerIpWindowSeconds,
  });

  async function reserve(limiter: RateLimiterAbstract, key: string): Promise<void> {
    try {
      await limiter.consume(key);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) throw tooManyRequests(rejection.msBeforeNext);
      throw rejection;
    }
  }

  return {
    async beginLogin(accountName, ip) {
      const account = accountKey(accountName);
      const accountAndIp = `${account}:${ip}`;
      const blocked = await delay.get(accountAndIp);
      if (blocked && blocked.consumedPoints > 1 && blocked.msBeforeNext > 0)
        throw tooManyRequests(blocked.msBeforeNext);
      await reserve(perAccount, account);
      try {
        await reserve(perIp, ip);
      } catch (error) {
        await perAccount.reward(account);
        throw error;
      }
      // The n-th unresolved attempt in a row; from the configured count on, the next attempt has
      // to wait base * 2^(n - count) seconds (capped), whatever this one's outcome turns out to be
      // (a success clears the wait).
      const attempt = (await consecutive.penalty(accountAndIp)).consumedPoints;
      if (attempt >= limits.loginDelayAfterFailures) {
        const exponent = Math.min(attempt - limits.loginDelayAfterFailures, 30);
        await delay.block(
          accountAndIp,
          Math.min(limits.loginDelayMaxSeconds, limits.loginDelayBaseSeconds * 2 ** exponent),
        );
      }
      return {
        async succeeded() {
          await Promise.all([
            consecutive.delete(accountAndIp),
            delay.delete(accountAndIp),
            perAccount.reward(account),
            perIp.reward(ip),
          ]);
        },
      };
    },
    async beginRegistration(ip) {
      await reserve(registrations, ip);
    },
    async close() {
      await redis?.quit();
    },
  };
}

/**
 * Counts a registration attempt from the client's address before its input is validated, so
 * neither a valid attempt nor an invalid one ("is this name taken?") escapes the cap.
 */
export const ThrottleRegistrations: MiddlewareFn<Context> = async ({ context }, next) => {
  await context.throttle.beginRegistration(context.request.ip);
  return next();
};
