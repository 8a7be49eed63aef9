import type { MikroORM } from '@mikro-orm/core';
import type { PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import type { MiddlewareFn } from 'type-graphql';
import type { Config } from '../../config';
import type { Context } from '../../context';
import { AppError, ErrorCode, messages } from '../../errors';
import { KeyedQueue, KeyedQueueFullError } from '../../lib/keyed-queue';
import { createRateLimiter, limiterKeyDigest, tryConsume, type RateLimiterOptions } from './rate-limiter';

// Brute force and credential stuffing defences. The counters live where every server instance
// sees them (PostgreSQL by default, Redis with REDIS_URL), so N instances are one service.
//
// - Attempts on one account are decided one at a time (in each instance): the delay is read,
//   the password checked, the outcome recorded, then the next attempt starts. A burst gets the
//   checks a sequence would get (5, then the delay), not one per parallel request.
// - The progressive delay is per account AND client address: one address's failures never
//   delay the owner coming from elsewhere. The account-wide ceiling counts checked failures
//   only, and one address under its own delay cannot reach it (see README, "What counts").
// - Only a checked password counts. A refusal (throttled, busy hashing queue) counts nothing.

export interface Throttle {
  /** Runs `check` (the password comparison) under the login limits; true when it matched. */
  attemptLogin(account: string, ip: string, check: () => Promise<boolean>): Promise<boolean>;
  /** The same for a password typed to confirm a change (changePassword, deleteAccount): per account. */
  attemptPasswordCheck(account: string, check: () => Promise<boolean>): Promise<boolean>;
  /** Counts one registration attempt from this IP, refusing past the cap. */
  beginRegistration(ip: string): Promise<void>;
  /** Counts one "is this username or email free?" answer for this account and IP. */
  beginIdentityProbe(account: string, ip: string): Promise<void>;
  close(): Promise<void>;
}

export function tooManyRequests(msBeforeNext: number): AppError {
  const retryAfter = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new AppError(ErrorCode.TOO_MANY_REQUESTS, messages.tooManyRequests(retryAfter), { retryAfter });
}

/** Accounts are stored as digests: the limiter table never holds a login name or an email. */
const accountKey = limiterKeyDigest;

// How long the consecutive-failure count of a key is remembered without new failures.
const CONSECUTIVE_MEMORY_SECONDS = 24 * 3600;
// Attempts on one account waiting their turn in this instance; more are refused at once.
const WAITING_PER_ACCOUNT = 8;

export function createThrottle(
  config: Config,
  orm: MikroORM<PostgreSqlDriver>,
  redis: Redis | null,
  onRefused: (throttle: string) => void = () => undefined,
): Throttle {
  const limits = config.throttle;
  /** Every refusal goes through here, named after its limiter (or login_queue, confirm_delay) for /metrics. */
  const refused = (throttle: string, msBeforeNext: number) => {
    onRefused(throttle);
    return tooManyRequests(msBeforeNext);
  };
  const makeLimiter = (options: RateLimiterOptions) => createRateLimiter({ orm, redis }, options);
  // This one also sweeps the expired rows of the shared table (mail's included).
  const consecutive = makeLimiter({
    keyPrefix: 'login_consecutive',
    points: 1e9,
    duration: CONSECUTIVE_MEMORY_SECONDS,
    clearExpiredByTimeout: true,
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
  const probesPerAccount = makeLimiter({
    keyPrefix: 'probe_account',
    points: limits.identityProbesPerAccount,
    duration: limits.identityProbesWindowSeconds,
  });
  const probesPerIp = makeLimiter({
    keyPrefix: 'probe_ip',
    points: limits.registrationsPerIp,
    duration: limits.registrationsPerIpWindowSeconds,
  });
  const turns = new KeyedQueue(WAITING_PER_ACCOUNT);

  async function reserve(limiter: RateLimiterAbstract, key: string): Promise<void> {
    const refusal = await tryConsume(limiter, key);
    if (refusal) throw refused(limiter.keyPrefix, refusal.msBeforeNext);
  }

  function refuseWhenExhausted(limiter: RateLimiterAbstract, state: RateLimiterRes | null, points: number): void {
    if (state && state.consumedPoints >= points && state.msBeforeNext > 0) {
      throw refused(limiter.keyPrefix, state.msBeforeNext);
    }
  }

  /** The n-th failure in a row from the configured count on makes the next attempt wait base * 2^(n - count). */
  async function recordFailure(delayKey: string): Promise<void> {
    const failures = (await consecutive.penalty(delayKey)).consumedPoints;
    if (failures >= limits.loginDelayAfterFailures) {
      const exponent = Math.min(failures - limits.loginDelayAfterFailures, 30);
      await delay.block(delayKey, Math.min(limits.loginDelayMaxSeconds, limits.loginDelayBaseSeconds * 2 ** exponent));
    }
  }

  /** One attempt on an account, after the ones before it: decide, check, record. */
  async function attempt(account: string, ip: string | null, check: () => Promise<boolean>): Promise<boolean> {
    const delayKey = ip === null ? `confirm:${account}` : `${account}:${ip}`;
    try {
      return await turns.run(account, async () => {
        // The three counters are read at once (one round trip of the login, not three), then
        // judged in order: the delay, the account's ceiling, the address's ceiling.
        const [blocked, accountState, ipState] = await Promise.all([
          delay.get(delayKey),
          perAccount.get(account),
          ip === null ? null : perIp.get(ip),
        ]);
        if (blocked && blocked.consumedPoints > 1 && blocked.msBeforeNext > 0)
          throw refused(ip === null ? 'confirm_delay' : 'login_delay', blocked.msBeforeNext);
        refuseWhenExhausted(perAccount, accountState, limits.loginFailuresPerAccount);
        refuseWhenExhausted(perIp, ipState, limits.loginFailuresPerIp);
        // A busy hashing queue throws from check(): nothing is recorded for a password not checked.
        const matched = await check();
        if (matched) {
          await Promise.all([consecutive.delete(delayKey), delay.delete(delayKey)]);
        } else {
          await Promise.all([
            recordFailure(delayKey),
            perAccount.penalty(account),
            ...(ip === null ? [] : [perIp.penalty(ip)]),
          ]);
        }
        return matched;
      });
    } catch (error) {
      if (error instanceof KeyedQueueFullError) throw refused('login_queue', 1000);
      throw error;
    }
  }

  return {
    attemptLogin: (account, ip, check) => attempt(accountKey(account), ip, check),
    attemptPasswordCheck: (account, check) => attempt(accountKey(account), null, check),
    async beginRegistration(ip) {
      await reserve(registrations, ip);
    },
    async beginIdentityProbe(account, ip) {
      await reserve(probesPerAccount, accountKey(account));
      await reserve(probesPerIp, ip);
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

/**
 * updateProfile with a username or email answers "already taken": counted per account and per
 * address before validation, like registration, so it is no free lookup service.
 */
export const ThrottleIdentityProbes: MiddlewareFn<Context> = async ({ context, args }, next) => {
  const input = (args as { input?: { username?: unknown; email?: unknown } }).input;
  if (input?.username != null || input?.email != null) {
    const { user } = await context.requireViewer();
    await context.throttle.beginIdentityProbe(`user:${user.id}`, context.request.ip);
  }
  return next();
};
