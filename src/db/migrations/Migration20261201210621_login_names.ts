import { Migration } from '@mikro-orm/migrations';

export class Migration20261201210621_login_names extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "login_names" ("name" text collate "C" not null, "user_id" uuid not null, constraint "login_names_pkey" primary key ("name"));`,
    );
    this.addSql(`create index "login_names_user_id_index" on "login_names" ("user_id");`);

    this.addSql(
      `alter table "login_names" add constraint "login_names_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(`alter table "users" add column "username_skeleton" text collate "C" null;`);
    this.addSql(`alter table "users" add constraint "users_username_skeleton_key" unique ("username_skeleton");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "login_names" cascade;`);

    this.addSql(`alter table "users" drop constraint "users_username_skeleton_key";`);
    this.addSql(`alter table "users" drop column "username_skeleton";`);
  }
}
