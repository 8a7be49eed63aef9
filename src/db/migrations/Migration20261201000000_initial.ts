import { Migration } from '@mikro-orm/migrations';

export class Migration20261201000000_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "rate_limits" ("key" varchar(255) not null, "points" int not null default 0, "expire" bigint null, constraint "rate_limits_pkey" primary key ("key"));`,
    );

    this.addSql(
      `create table "users" ("id" uuid not null, "username" varchar(30) not null, "username_canonical" text collate "C" not null, "email" varchar(254) not null, "email_canonical" text collate "C" not null, "password_hash" varchar(60) not null, "first_name" varchar(150) not null default '', "last_name" varchar(150) not null default '', "is_active" boolean not null default true, "is_staff" boolean not null default false, "is_superuser" boolean not null default false, "date_joined" timestamptz not null default now(), "last_login" timestamptz null, constraint "users_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "users" add constraint "users_username_canonical_key" unique ("username_canonical");`);
    this.addSql(`alter table "users" add constraint "users_email_canonical_key" unique ("email_canonical");`);

    this.addSql(
      `create table "sessions" ("id" uuid not null, "user_id" uuid not null, "token_hash" bytea not null, "created_at" timestamptz not null default now(), "expires_at" timestamptz not null, "last_used_at" timestamptz null, "user_agent" varchar(512) null, constraint "sessions_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "sessions_user_id_index" on "sessions" ("user_id");`);
    this.addSql(`alter table "sessions" add constraint "sessions_token_hash_key" unique ("token_hash");`);

    this.addSql(
      `create table "user_stats" ("id" boolean not null default true, "user_count" bigint not null, constraint "user_stats_pkey" primary key ("id"));`,
    );

    this.addSql(
      `alter table "sessions" add constraint "sessions_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`,
    );
  }
}
