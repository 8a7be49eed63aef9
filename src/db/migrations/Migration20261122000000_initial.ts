import { Migration } from '@mikro-orm/migrations';

// Canonical columns use the "C" collation: byte order is the same on every server and locale, so
// the unique index gives case-insensitive uniqueness, stable ordering for keyset pagination, and
// prefix search as an index range scan (`>= prefix AND < prefix || U+10FFFF`).
export class Migration20261122000000_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table "users" (
        "id" uuid not null primary key,
        "username" varchar(30) not null,
        "username_canonical" text collate "C" not null,
        "email" varchar(254) not null,
        "email_canonical" text collate "C" not null,
        "password_hash" varchar(60) not null,
        "first_name" varchar(150) not null default '',
        "last_name" varchar(150) not null default '',
        "is_active" boolean not null default true,
        "is_staff" boolean not null default false,
        "is_superuser" boolean not null default false,
        "date_joined" timestamptz not null default now(),
        "last_login" timestamptz null,
        constraint "users_username_canonical_key" unique ("username_canonical"),
        constraint "users_email_canonical_key" unique ("email_canonical")
      );`);
    this.addSql(`
      create table "sessions" (
        "id" uuid not null primary key,
        "user_id" uuid not null references "users" ("id") on update cascade on delete cascade,
        "token_hash" bytea not null,
        "created_at" timestamptz not null default now(),
        "expires_at" timestamptz not null,
        "last_used_at" timestamptz null,
        "user_agent" varchar(512) null,
        constraint "sessions_token_hash_key" unique ("token_hash")
      );`);
    this.addSql(`create index "sessions_user_id_index" on "sessions" ("user_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "sessions";`);
    this.addSql(`drop table if exists "users";`);
  }
}
