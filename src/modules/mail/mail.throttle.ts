import type { MikroORM } from '@mikro-orm/core';
import type { PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import type { MailConfig } from '../../config-mail';
import { tooManyRequests } from '../auth/auth.throttle';
import { createRateLimiter, limiterKeyDigest, tryConsume } from '../auth/rate-limiter';

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

export function createMailThrottle(
  config: MailConfig,
  orm: MikroORM<PostgreSqlDriver>,
  redis: Redis | null,
  onRefused: (throttle: string) => void = () => undefined,
): MailThrottle {
  const makeLimiter = (keyPrefix: string, points: number) =>
    createRateLimiter({ orm, redis }, { keyPrefix, points, duration: HOUR });
  const perIp = makeLimiter('reset_ip', config.passwordResetsPerIp);
  const perAddress = makeLimiter('reset_address', config.passwordResetsPerAddress);
  const resends = makeLimiter('verify_resend', config.verificationResendsPerUser);

  /** One point from the limiter; its refusal (counted for /metrics) when none was left. */
  async function consume(limiter: RateLimiterAbstract, key: string): Promise<RateLimiterRes | null> {
    const refusal = await tryConsume(limiter, key);
    if (refusal) onRefused(limiter.keyPrefix);
    return refusal;
  }

  return {
    async passwordResetFromIp(ip) {
      const refused = await consume(perIp, ip);
      if (refused) throw tooManyRequests(refused.msBeforeNext);
    },
    async passwordResetToAddress(emailCanonical) {
      // The table never holds an address, only its digest.
      return (await consume(perAddress, limiterKeyDigest(emailCanonical))) === null;
    },
    async verificationResend(userId) {
      const refused = await consume(resends, userId);
      if (refused) throw tooManyRequests(refused.msBeforeNext);
    },
  };
}
