import { randomUUID } from 'node:crypto';
import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * Mail waiting to be delivered: written in the transaction that makes the token it carries, and
 * sent by the worker (mail.worker.ts) after the request has answered. A row is deleted once
 * delivered or given up on, so a link's token stays in the database no longer than needed.
 */
@Entity({ tableName: 'mail_outbox' })
export class MailOutbox {
  [OptionalProps]?: 'createdAt' | 'attempts' | 'nextAttemptAt' | 'lastError';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** password_reset, email_verification or email_changed: for logs. */
  @Property({ type: 'string', length: 32 })
  kind!: string;

  @Property({ type: 'string', length: 254 })
  recipient!: string;

  @Property({ type: 'string', length: 200 })
  subject!: string;

  @Property({ type: 'text' })
  textBody!: string;

  @Property({ type: 'text' })
  htmlBody!: string;

  @Property({ type: 'integer', default: 0 })
  attempts: number = 0;

  /** Due from then; while a worker is sending it, pushed ahead by a lease so no other takes it. */
  @Property({
    type: 'datetime',
    columnType: 'timestamptz',
    defaultRaw: 'now()',
    index: 'mail_outbox_next_attempt_at_index',
  })
  nextAttemptAt: Date = new Date();

  @Property({ type: 'string', length: 500, nullable: true })
  lastError: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
