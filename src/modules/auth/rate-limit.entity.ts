import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The login and registration counters every server instance shares: rate-limiter-flexible's
 * PostgreSQL store layout (`expire` is epoch milliseconds), told apart by the key's prefix.
 */
@Entity({ tableName: 'rate_limits' })
export class RateLimit {
  @PrimaryKey({ type: 'string', length: 255 })
  key!: string;

  @Property({ type: 'integer', default: 0 })
  points: number = 0;

  @Property({ type: 'bigint', columnType: 'bigint', nullable: true })
  expire: string | null = null;
}
