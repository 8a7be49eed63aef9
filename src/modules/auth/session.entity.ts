import { randomUUID } from 'node:crypto';
import { BlobType, Entity, ManyToOne, OptionalProps, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { User } from '../user/user.entity';

/** One row per login. The token itself is never stored, only its SHA-256 digest. */
@Entity({ tableName: 'sessions' })
export class Session {
  [OptionalProps]?: 'createdAt' | 'lastUsedAt' | 'userAgent';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  // Deleting a user deletes its sessions in the same statement, on every path (SQL included).
  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade', index: 'sessions_user_id_index' })
  user!: Ref<User>;

  @Property({ type: BlobType, unique: 'sessions_token_hash_key' })
  tokenHash!: Buffer;

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  lastUsedAt: Date | null = null;

  @Property({ type: 'string', length: 512, nullable: true })
  userAgent: string | null = null;
}
