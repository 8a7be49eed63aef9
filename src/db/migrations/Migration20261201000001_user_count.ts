import { Migration } from '@mikro-orm/migrations';

// Written by hand: triggers are outside what MikroORM's schema diff describes.
// `users { totalCount }` without a search would otherwise count the whole table on every page
// (about 100 ms at a million users). Statement-level triggers keep an exact count in the one row
// of user_stats: one extra row update per INSERT, DELETE or TRUNCATE statement on users.
export class Migration20261201000001_user_count extends Migration {
  override async up(): Promise<void> {
    this.addSql(`insert into "user_stats" ("id", "user_count") select true, count(*) from "users";`);
    this.addSql(`
      create function "user_stats_after_insert"() returns trigger language plpgsql as $$
      begin
        update "user_stats" set "user_count" = "user_count" + (select count(*) from "inserted_users");
        return null;
      end $$;`);
    this.addSql(`
      create function "user_stats_after_delete"() returns trigger language plpgsql as $$
      begin
        update "user_stats" set "user_count" = "user_count" - (select count(*) from "deleted_users");
        return null;
      end $$;`);
    this.addSql(`
      create function "user_stats_after_truncate"() returns trigger language plpgsql as $$
      begin
        update "user_stats" set "user_count" = 0;
        return null;
      end $$;`);
    this.addSql(`
      create trigger "users_count_insert" after insert on "users"
        referencing new table as "inserted_users" for each statement execute function "user_stats_after_insert"();`);
    this.addSql(`
      create trigger "users_count_delete" after delete on "users"
        referencing old table as "deleted_users" for each statement execute function "user_stats_after_delete"();`);
    this.addSql(`
      create trigger "users_count_truncate" after truncate on "users"
        for each statement execute function "user_stats_after_truncate"();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists "users_count_truncate" on "users";`);
    this.addSql(`drop trigger if exists "users_count_delete" on "users";`);
    this.addSql(`drop trigger if exists "users_count_insert" on "users";`);
    this.addSql(`drop function if exists "user_stats_after_truncate"();`);
    this.addSql(`drop function if exists "user_stats_after_delete"();`);
    this.addSql(`drop function if exists "user_stats_after_insert"();`);
    this.addSql(`delete from "user_stats";`);
  }
}
