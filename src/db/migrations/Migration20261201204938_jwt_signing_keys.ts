import { Migration } from '@mikro-orm/migrations';

export class Migration20261201204938_jwt_signing_keys extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "signing_keys" ("id" varchar(64) not null, "algorithm" varchar(16) not null, "public_jwk" jsonb not null, "private_key" text not null, "private_key_encryption" varchar(16) not null, "created_at" timestamptz not null default now(), "activates_at" timestamptz not null, "retired_at" timestamptz null, constraint "signing_keys_pkey" primary key ("id"));`,
    );

    this.addSql(
      `alter table "sessions" add column "previous_token_hash" bytea null, add column "previous_token_retired_at" timestamptz null, add column "rotation_secret" bytea null;`,
    );
    this.addSql(
      `alter table "sessions" add constraint "sessions_previous_token_hash_key" unique ("previous_token_hash");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "signing_keys" cascade;`);

    this.addSql(`alter table "sessions" drop constraint "sessions_previous_token_hash_key";`);
    this.addSql(
      `alter table "sessions" drop column "previous_token_hash", drop column "previous_token_retired_at", drop column "rotation_secret";`,
    );
  }
}
