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
import type { MailConfig } from '../../config-mail';
import { tooManyRequests } from '../auth/auth.throttle';

// Mail costs the recipient's attention and our sender reputation: each kind is capped per hour.
// The counters live beside the login ones (the rate_limits table, or Redis), so every instance
// sees them.

export interface MailThrottle {
  /** requestPasswordReset, per client address: TOO_MANY_REQUESTS past the cap. */
  passwordResetFromIp(ip: string): Promise<void>;
  /**
   * requestPasswordReset, per target address (known or not, so the answer says nothing): false
   * past the cap, and the request is then answered `true` with no mail.
   */
  passwordResetToAddress(emailCanonical: string): Promise<boolean>;
  /** resendVerificationEmail, per account: TOO_MANY_REQUESTS past the cap. */
  verificationResend(userId: string): Promise<void>;
}

const HOUR = 3600;

/** The table never holds an address, only its digest. */
function digest(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

export function createMailThrottle(
  config: MailConfig,
  orm: MikroORM<PostgreSqlDriver>,
  redis: Redis | null,
  onRefused: (throttle: string) => void = () => undefined,
): MailThrottle {
  const makeLimiter = (keyPrefix: string, points: number): RateLimiterAbstract => {
    const options: IRateLimiterStoreOptions = { keyPrefix, points, duration: HOUR, storeClient: redis };
    if (redis) return new RateLimiterRedis(options);
    return new RateLimiterPostgres({
      ...options,
      storeClient: orm.em.getConnection().getKnex(),
      storeType: 'knex',
      tableName: 'rate_limits',
      tableCreated: true,
      clearExpiredByTimeout: false,
    });
  };
  const perIp = makeLimiter('reset_ip', config.passwordResetsPerIp);
  const perAddress = makeLimiter('reset_address', config.passwordResetsPerAddress);
  const resends = makeLimiter('verify_resend', config.verificationResendsPerUser);

  async function consume(limiter: RateLimiterAbstract, key: string): Promise<RateLimiterRes | null> {
    try {
      await limiter.consume(key);
      return null;
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        onRefused(limiter.keyPrefix);
        return rejection;
      }
      throw rejection;
    }
  }

  return {
    async passwordResetFromIp(ip) {
      const refused = await consume(perIp, ip);
      if (refused) throw tooManyRequests(refused.msBeforeNext);
    },
    async passwordResetToAddress(emailCanonical) {
      return (await consume(perAddress, digest(emailCanonical))) === null;
    },
    async verificationResend(userId) {
      const refused = await consume(resends, userId);
      if (refused) throw tooManyRequests(refused.msBeforeNext);
    },
  };
}
