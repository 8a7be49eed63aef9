import { Migration } from '@mikro-orm/migrations';
import { confusableSkeleton } from '../../lib/confusables';
import { loginNameKey } from '../../lib/identity';

// Written by hand: the keys and skeletons of accounts that existed before are computed by the
// same functions as the server's (NFKC, case folding, TR39 data), which SQL does not have. Where
// old accounts already collide, the earlier account keeps the name (on conflict do nothing).
export class Migration20261201210622_login_names_backfill extends Migration {
  override async up(): Promise<void> {
    const users = await this.execute('select id, username_canonical, email from users order by date_joined, id');
    const knex = this.getKnex();
    for (const user of users as { id: string; username_canonical: string; email: string }[]) {
      const names = [...new Set([user.username_canonical, loginNameKey(user.email)])];
      this.addSql(
        knex
          .insert(names.map((name) => ({ name, user_id: user.id })))
          .into('login_names')
          .onConflict('name')
          .ignore(),
      );
      this.addSql(
        knex('users')
          .update({ username_skeleton: confusableSkeleton(user.username_canonical) })
          .where({ id: user.id })
          .whereNotExists(knex('users').where({ username_skeleton: confusableSkeleton(user.username_canonical) })),
      );
    }
  }
}
