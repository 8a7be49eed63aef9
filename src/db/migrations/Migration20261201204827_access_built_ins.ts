import { Migration } from '@mikro-orm/migrations';

// Written by hand: data and triggers, which MikroORM's schema diff does not describe.
// - The permissions this API enforces exist from the start.
// - Today's staff rights move into the built-in group "Staff" (a fixed id: the code finds it by id,
//   whatever a superuser does to its permissions), and every existing staff account joins it, so
//   nobody gains or loses a right by the upgrade.
// - Staff membership follows users.is_staff on every write path: the API, createsuperuser, grant,
//   and the SQL that operators were told to use before this API could grant anything. Without
//   these triggers, `update users set is_staff = false` would leave a demoted account its rights.
// The values are copied here on purpose: a migration must say the same thing forever, whatever
// later happens to src/modules/permission/built-ins.ts.
const PERMISSIONS: [codename: string, name: string][] = [
  ['users.view_user', 'Can view user'],
  ['users.change_user', 'Can change user'],
  ['users.delete_user', 'Can delete user'],
  ['groups.view_group', 'Can view group'],
  ['groups.add_group', 'Can add group'],
  ['groups.change_group', 'Can change group'],
  ['groups.delete_group', 'Can delete group'],
  ['permissions.add_permission', 'Can add permission'],
];
const STAFF_GROUP_ID = 'c3f55fbf-2959-4c90-9c36-a9f96a056fc4';
const STAFF_PERMISSIONS = ['users.view_user', 'users.change_user', 'users.delete_user'];

// The values above are constants of this file; quoting them is all they need.
const literal = (value: string) => `'${value.replaceAll("'", "''")}'`;

export class Migration20261201204827_access_built_ins extends Migration {
  override async up(): Promise<void> {
    const staff = literal(STAFF_GROUP_ID);
    const permissions = PERMISSIONS.map(([codename, name]) => `(${literal(codename)}, ${literal(name)})`);
    this.addSql(`insert into "permissions" ("codename", "name") values ${permissions.join(', ')};`);
    this.addSql(`insert into "groups" ("id", "name", "name_canonical") values (${staff}, 'Staff', 'staff');`);
    const staffPermissions = STAFF_PERMISSIONS.map((codename) => `(${staff}, ${literal(codename)})`);
    this.addSql(
      `insert into "groups_permissions" ("group_id", "permission_codename") values ${staffPermissions.join(', ')};`,
    );
    this.addSql(
      `insert into "users_groups" ("user_id", "group_id") select "id", ${staff} from "users" where "is_staff";`,
    );
    this.addSql(`
      create function "users_staff_group"() returns trigger language plpgsql as $$
      begin
        if new."is_staff" then
          insert into "users_groups" ("user_id", "group_id") values (new."id", ${staff}) on conflict do nothing;
        else
          delete from "users_groups" where "user_id" = new."id" and "group_id" = ${staff};
        end if;
        return null;
      end $$;`);
    this.addSql(`
      create trigger "users_staff_group_insert" after insert on "users"
        for each row when (new."is_staff") execute function "users_staff_group"();`);
    this.addSql(`
      create trigger "users_staff_group_update" after update of "is_staff" on "users"
        for each row when (old."is_staff" is distinct from new."is_staff") execute function "users_staff_group"();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger "users_staff_group_update" on "users";`);
    this.addSql(`drop trigger "users_staff_group_insert" on "users";`);
    this.addSql(`drop function "users_staff_group"();`);
    this.addSql(`delete from "groups" where "id" = ${literal(STAFF_GROUP_ID)};`);
    const codenames = PERMISSIONS.map(([codename]) => literal(codename));
    this.addSql(`delete from "permissions" where "codename" in (${codenames.join(', ')});`);
  }
}
