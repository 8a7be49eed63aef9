import { Entity, ManyToOne, PrimaryKey, type Ref } from '@mikro-orm/core';
import type { User } from './user.entity';

/**
 * Every name a user can log in with (the username, and the email address), in the one folded
 * form a typed login name is compared in (lib/identity.ts `loginNameKey`). Its primary key makes
 * "no login name reaches two accounts" a database rule: a username equal to someone's email
 * address (or the reverse) fails to insert, also when two registrations race.
 */
@Entity({ tableName: 'login_names' })
export class LoginName {
  @PrimaryKey({ type: 'text', columnType: 'text collate "C"' })
  name!: string;

  @ManyToOne('User', { ref: true, deleteRule: 'cascade', index: 'login_names_user_id_index' })
  user!: Ref<User>;
}
