import { randomUUID } from 'node:crypto';
import { BlobType, Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { User } from '../user/user.entity';

export type MailTokenKind = 'password_reset' | 'email_verification';

/**
 * A link's token, mailed once. Only its SHA-256 digest is stored (a leaked table yields no usable
 * links); it works once (`usedAt`) and until `expiresAt`. `email` is the address it was sent to:
 * a verification confirms that address, never a newer one.
 */
@Entity({ tableName: 'mail_tokens' })
@Index({ name: 'mail_tokens_user_id_kind_index', properties: ['user', 'kind'] })
export class MailToken {
  [OptionalProps]?: 'createdAt' | 'usedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: BlobType, unique: 'mail_tokens_token_hash_key' })
  tokenHash!: Buffer;

  @Property({ type: 'string', length: 32 })
  kind!: MailTokenKind;

  // Deleting a user deletes its tokens.
  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Property({ type: 'string', length: 254 })
  email!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  usedAt: Date | null = null;
}
