import { Migration } from '@mikro-orm/migrations';

export class Migration20261201204826_groups_permissions extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "groups" ("id" uuid not null, "name" varchar(150) not null, "name_canonical" text collate "C" not null, constraint "groups_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "groups" add constraint "groups_name_canonical_key" unique ("name_canonical");`);

    this.addSql(
      `create table "permissions" ("codename" varchar(100) not null, "name" varchar(255) not null, constraint "permissions_pkey" primary key ("codename"));`,
    );

    this.addSql(
      `create table "groups_permissions" ("group_id" uuid not null, "permission_codename" varchar(100) not null, constraint "groups_permissions_pkey" primary key ("group_id", "permission_codename"));`,
    );

    this.addSql(
      `create table "users_groups" ("user_id" uuid not null, "group_id" uuid not null, constraint "users_groups_pkey" primary key ("user_id", "group_id"));`,
    );

    this.addSql(
      `create table "users_permissions" ("user_id" uuid not null, "permission_codename" varchar(100) not null, constraint "users_permissions_pkey" primary key ("user_id", "permission_codename"));`,
    );

    this.addSql(
      `alter table "groups_permissions" add constraint "groups_permissions_group_id_foreign" foreign key ("group_id") references "groups" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "groups_permissions" add constraint "groups_permissions_permission_codename_foreign" foreign key ("permission_codename") references "permissions" ("codename") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "users_groups" add constraint "users_groups_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "users_groups" add constraint "users_groups_group_id_foreign" foreign key ("group_id") references "groups" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "users_permissions" add constraint "users_permissions_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "users_permissions" add constraint "users_permissions_permission_codename_foreign" foreign key ("permission_codename") references "permissions" ("codename") on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "groups_permissions" drop constraint "groups_permissions_group_id_foreign";`);

    this.addSql(`alter table "users_groups" drop constraint "users_groups_group_id_foreign";`);

    this.addSql(`alter table "groups_permissions" drop constraint "groups_permissions_permission_codename_foreign";`);

    this.addSql(`alter table "users_permissions" drop constraint "users_permissions_permission_codename_foreign";`);

    this.addSql(`drop table if exists "groups" cascade;`);

    this.addSql(`drop table if exists "permissions" cascade;`);

    this.addSql(`drop table if exists "groups_permissions" cascade;`);

    this.addSql(`drop table if exists "users_groups" cascade;`);

    this.addSql(`drop table if exists "users_permissions" cascade;`);
  }
}
