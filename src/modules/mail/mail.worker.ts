import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { MailConfig } from '../../config-mail';
import { loggableError } from '../../errors';
import type { Logger } from '../../logger';
import { MailOutbox } from './mail-outbox.entity';
import type { MailTransport } from './mail.transport';

// Delivers the outbox. Every instance runs one; they share the table safely:
// - a claim is a short transaction that takes due rows with FOR UPDATE SKIP LOCKED (rows another
//   instance is claiming are skipped, not waited for) and pushes them a lease ahead, so no
//   connection or lock is held while talking to the mail server;
// - an instance that dies mid-send leaves the row to be taken again when the lease ends, and mail
//   queued before a restart is simply still in the table: delivery is at least once;
// - a failure is retried after retryBase * 2^(attempt - 1) seconds (at most an hour), and given up
//   after maxAttempts, since the links it carries expire anyway.

const BATCH = 10;
const LEASE_MS = 2 * 60_000;
const MAX_BACKOFF_MS = 3600_000;

export interface MailWorker {
  start(): void;
  /** Look now (mail was just queued here) instead of at the next poll. */
  wake(): void;
  /** Stops polling and waits for the batch in hand. */
  stop(): Promise<void>;
}

export function createMailWorker(
  rootEm: EntityManager,
  transport: MailTransport,
  config: MailConfig,
  logger: Logger,
): MailWorker {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let wokenWhileRunning = false;
  let stopped = false;

  async function claim(em: EntityManager): Promise<MailOutbox[]> {
    return em.transactional(async (tx) => {
      const now = new Date();
      const due = await tx.find(
        MailOutbox,
        { nextAttemptAt: { $lte: now } },
        { orderBy: { nextAttemptAt: 'asc' }, limit: BATCH, lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE },
      );
      for (const mail of due) {
        mail.attempts += 1;
        mail.nextAttemptAt = new Date(now.getTime() + LEASE_MS);
      }
      return due;
    });
  }

  async function deliver(em: EntityManager, mail: MailOutbox): Promise<void> {
    try {
      await transport.send({
        id: mail.id,
        kind: mail.kind,
        to: mail.recipient,
        subject: mail.subject,
        text: mail.textBody,
        html: mail.htmlBody,
      });
      await em.nativeDelete(MailOutbox, { id: mail.id });
      logger.info({ mailId: mail.id, kind: mail.kind, attempt: mail.attempts }, 'mail sent');
    } catch (error) {
      // nodemailer's errors carry a code (ECONNECTION, EAUTH, EENVELOPE…) and the server's reply.
      const { code, name, message } = (error ?? {}) as { code?: string; name?: string; message?: string };
      const reason = `${code ?? name ?? 'Error'}: ${message ?? String(error)}`;
      const log = { mailId: mail.id, kind: mail.kind, attempt: mail.attempts, reason: reason.slice(0, 200) };
      if (mail.attempts >= config.maxAttempts) {
        await em.nativeDelete(MailOutbox, { id: mail.id });
        logger.error(log, 'mail given up after its last attempt');
        return;
      }
      const backoffMs = Math.min(MAX_BACKOFF_MS, config.retryBaseSeconds * 1000 * 2 ** (mail.attempts - 1));
      await em.nativeUpdate(
        MailOutbox,
        { id: mail.id },
        { nextAttemptAt: new Date(Date.now() + backoffMs), lastError: reason.slice(0, 500) },
      );
      logger.warn({ ...log, retryInSeconds: backoffMs / 1000 }, 'mail not sent; will retry');
    }
  }

  /** Sends batches until none is full; true when there may be more right away. */
  async function drain(): Promise<void> {
    for (;;) {
      const em = rootEm.fork();
      const claimed = await claim(em);
      for (const mail of claimed) {
        if (stopped) return; // Left leased: taken again when the lease ends (here after a restart).
        await deliver(em, mail);
      }
      if (claimed.length < BATCH || stopped) return;
    }
  }

  function schedule(delayMs: number): void {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => void tick(), delayMs);
  }

  async function tick(): Promise<void> {
    if (running) {
      wokenWhileRunning = true;
      return;
    }
    running = drain().catch((error) => logger.warn({ err: loggableError(error) }, 'mail worker: outbox unavailable'));
    await running;
    running = undefined;
    const again = wokenWhileRunning;
    wokenWhileRunning = false;
    schedule(again ? 0 : config.pollIntervalMs);
  }

  return {
    start: () => schedule(0),
    wake: () => schedule(0),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
