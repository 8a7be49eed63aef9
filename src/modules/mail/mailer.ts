import type { MikroORM } from '@mikro-orm/core';
import type { PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import type { Config } from '../../config';
import { loggableError } from '../../errors';
import type { Logger } from '../../logger';
import { createMailThrottle, type MailThrottle } from './mail.throttle';
import { createMailTransport } from './mail.transport';
import { createMailWorker } from './mail.worker';

/** What requests use of the mail machinery (ctx.mailer). */
export interface Mailer {
  /** False in production without SMTP_URL: nothing is queued, sent or written. */
  readonly enabled: boolean;
  readonly throttle: MailThrottle;
  /** Mail was just queued (and committed): deliver it now rather than at the next poll. */
  wake(): void;
  /** Runs work after the response is sent; close() waits for it. */
  defer(task: () => Promise<void>): void;
  close(): Promise<void>;
}

export function createMailer(
  config: Config,
  orm: MikroORM<PostgreSqlDriver>,
  redis: Redis | null,
  logger: Logger,
  onThrottleRefused?: (throttle: string) => void,
): Mailer {
  const transport = createMailTransport(config.mail, logger);
  if (!transport) {
    logger.warn(
      'SMTP_URL is not set: no mail is sent; requestPasswordReset and resendVerificationEmail answer SERVICE_UNAVAILABLE',
    );
  }
  const worker = transport ? createMailWorker(orm.em.fork(), transport, config.mail, logger) : null;
  worker?.start();
  const pending = new Set<Promise<void>>();
  return {
    enabled: transport !== null,
    throttle: createMailThrottle(config.mail, orm, redis, onThrottleRefused),
    wake: () => worker?.wake(),
    defer(task) {
      const running: Promise<void> = task()
        .catch((error) => logger.error({ err: loggableError(error) }, 'deferred mail work failed'))
        .finally(() => pending.delete(running));
      pending.add(running);
    },
    async close() {
      await Promise.all(pending);
      await worker?.stop();
      transport?.close();
    },
  };
}
