import { randomUUID } from 'node:crypto';
import { BlobType, Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { User } from '../user/user.entity';

/** One row per login. The token itself is never stored, only its SHA-256 digest. */
@Entity({ tableName: 'sessions' })
export class Session {
  [OptionalProps]?: 'createdAt' | 'lastUsedAt' | 'userAgent';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => User, { deleteRule: 'cascade' })
  @Index({ name: 'sessions_user_id_index' })
  user!: User;

  @Property({ type: BlobType, unique: 'sessions_token_hash_key' })
  tokenHash!: Buffer;

  @Property({ columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ columnType: 'timestamptz' })
  expiresAt!: Date;

  @Property({ columnType: 'timestamptz', nullable: true })
  lastUsedAt: Date | null = null;

  @Property({ length: 512, nullable: true })
  userAgent: string | null = null;
}
