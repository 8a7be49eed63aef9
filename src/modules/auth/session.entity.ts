import { randomUUID } from 'node:crypto';
import { BlobType, Entity, ManyToOne, OptionalProps, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { User } from '../user/user.entity';

/** One row per login. The token itself is never stored, only its SHA-256 digest. */
@Entity({ tableName: 'sessions' })
export class Session {
  [OptionalProps]?:
    'createdAt' | 'lastUsedAt' | 'userAgent' | 'previousTokenHash' | 'previousTokenRetiredAt' | 'rotationSecret';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  // Deleting a user deletes its sessions in the same statement, on every path (SQL included).
  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade', index: 'sessions_user_id_index' })
  user!: Ref<User>;

  @Property({ type: BlobType, unique: 'sessions_token_hash_key' })
  tokenHash!: Buffer;

  // Token rotation (refreshToken): the digest of the token the last refresh retired, and when.
  // It still works for TOKEN_ROTATION_GRACE_SECONDS; presented later, it revokes the session.
  @Property({ type: BlobType, nullable: true, unique: 'sessions_previous_token_hash_key' })
  previousTokenHash: Buffer | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  previousTokenRetiredAt: Date | null = null;

  /** Keys the successor of each token (lib/token.ts rotatedSessionToken); made at first refresh. */
  @Property({ type: BlobType, nullable: true, lazy: true })
  rotationSecret: Buffer | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  lastUsedAt: Date | null = null;

  @Property({ type: 'string', length: 512, nullable: true })
  userAgent: string | null = null;
}
