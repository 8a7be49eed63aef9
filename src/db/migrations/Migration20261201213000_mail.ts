import { Migration } from '@mikro-orm/migrations';

export class Migration20261201213000_mail extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "mail_outbox" ("id" uuid not null, "kind" varchar(32) not null, "recipient" varchar(254) not null, "subject" varchar(200) not null, "text_body" text not null, "html_body" text not null, "attempts" int not null default 0, "next_attempt_at" timestamptz not null default now(), "last_error" varchar(500) null, "created_at" timestamptz not null default now(), constraint "mail_outbox_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "mail_outbox_next_attempt_at_index" on "mail_outbox" ("next_attempt_at");`);

    this.addSql(
      `create table "mail_tokens" ("id" uuid not null, "token_hash" bytea not null, "kind" varchar(32) not null, "user_id" uuid not null, "email" varchar(254) not null, "created_at" timestamptz not null default now(), "expires_at" timestamptz not null, "used_at" timestamptz null, constraint "mail_tokens_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "mail_tokens" add constraint "mail_tokens_token_hash_key" unique ("token_hash");`);
    this.addSql(`create index "mail_tokens_user_id_kind_index" on "mail_tokens" ("user_id", "kind");`);

    this.addSql(
      `alter table "mail_tokens" add constraint "mail_tokens_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`,
    );

    // Accounts made before mail existed never confirmed their address: false, like a new one.
    this.addSql(`alter table "users" add column "email_verified" boolean not null default false;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "mail_outbox" cascade;`);

    this.addSql(`drop table if exists "mail_tokens" cascade;`);

    this.addSql(`alter table "users" drop column "email_verified";`);
  }
}
