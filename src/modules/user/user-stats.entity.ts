import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * One row: the exact number of users, kept by statement-level triggers on `users` (see the
 * user_count migration), so an unfiltered `totalCount` never counts the whole table.
 */
@Entity({ tableName: 'user_stats' })
export class UserStats {
  @PrimaryKey({ type: 'boolean', default: true })
  id: boolean = true;

  @Property({ type: 'bigint', columnType: 'bigint' })
  userCount!: string;
}
