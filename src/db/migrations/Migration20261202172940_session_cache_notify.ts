import { Migration } from '@mikro-orm/migrations';

// Created with `migration:create --blank` and written by hand: triggers are outside what MikroORM's
// schema diff describes (like Migration20261201000001_user_count), so the diff stays empty.
//
// Every change that could make a cached validated session wrong is announced on the channel
// 'authapi_session_cache' (SESSION_CHANGE_CHANNEL in src/modules/auth/session-cache.ts), at commit,
// to every instance's listener: `s:<session id>`, `u:<user id>`, or `*` (forget everything).
// Statement-level triggers with transition tables: one call per statement, and a statement that
// touches more than 100 sessions or users sends one `*` instead of a message per row.
//
// Not announced: new sessions and users (nothing cached can be stale), and the touch of
// last_used_at/expires_at by the sliding expiry (moving them later cannot make an entry wrong, and
// a message per touch would flood the listeners). Moving either earlier (by hand) is announced.
// Permissions are not cached, but memberships and grants announce the users they affect, so a
// cache of derived rights later needs no new triggers.

const CHANNEL = `'authapi_session_cache'`;

const FUNCTIONS = {
  notify: `
    create function "session_cache_notify"(prefix text, ids text[]) returns void language plpgsql as $$
    declare
      id text;
    begin
      if coalesce(array_length(ids, 1), 0) > 100 then
        perform pg_notify(${CHANNEL}, '*');
        return;
      end if;
      foreach id in array coalesce(ids, '{}') loop
        perform pg_notify(${CHANNEL}, prefix || id);
      end loop;
    end $$;`,
  sessions: `
    create function "session_cache_sessions_changed"() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' then
        perform "session_cache_notify"('s:', array(select distinct "id"::text from "old_rows"));
      else
        perform "session_cache_notify"('s:', array(
          select n."id"::text from "new_rows" n join "old_rows" o on o."id" = n."id"
          where n."token_hash" is distinct from o."token_hash"
            or n."previous_token_hash" is distinct from o."previous_token_hash"
            or n."user_id" is distinct from o."user_id"
            or n."expires_at" < o."expires_at"
            or coalesce(n."last_used_at", '-infinity') < coalesce(o."last_used_at", '-infinity')));
      end if;
      return null;
    end $$;`,
  users: `
    create function "session_cache_users_changed"() returns trigger language plpgsql as $$
    begin
      perform "session_cache_notify"('u:', array(select distinct "id"::text from "old_rows"));
      return null;
    end $$;`,
  // users_groups and users_permissions: the users whose rows were added, changed or removed.
  memberships: `
    create function "session_cache_memberships_changed"() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then
        perform "session_cache_notify"('u:', array(select distinct "user_id"::text from "new_rows"));
      elsif tg_op = 'DELETE' then
        perform "session_cache_notify"('u:', array(select distinct "user_id"::text from "old_rows"));
      else
        perform "session_cache_notify"('u:', array(
          select "user_id"::text from "new_rows" union select "user_id"::text from "old_rows"));
      end if;
      return null;
    end $$;`,
  // groups_permissions: the members of the groups whose permissions changed.
  groupPermissions: `
    create function "session_cache_group_permissions_changed"() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then
        perform "session_cache_notify"('u:', array(select distinct ug."user_id"::text from "users_groups" ug
          where ug."group_id" in (select "group_id" from "new_rows")));
      elsif tg_op = 'DELETE' then
        perform "session_cache_notify"('u:', array(select distinct ug."user_id"::text from "users_groups" ug
          where ug."group_id" in (select "group_id" from "old_rows")));
      else
        perform "session_cache_notify"('u:', array(select distinct ug."user_id"::text from "users_groups" ug
          where ug."group_id" in (select "group_id" from "new_rows" union select "group_id" from "old_rows")));
      end if;
      return null;
    end $$;`,
  everything: `
    create function "session_cache_everything_changed"() returns trigger language plpgsql as $$
    begin
      perform pg_notify(${CHANNEL}, '*');
      return null;
    end $$;`,
};

const REFERENCING = {
  INSERT: 'referencing new table as "new_rows"',
  UPDATE: 'referencing old table as "old_rows" new table as "new_rows"',
  DELETE: 'referencing old table as "old_rows"',
} as const;

/** [table, events, function] for every trigger. */
const TRIGGERS: [string, (keyof typeof REFERENCING)[], string][] = [
  ['sessions', ['UPDATE', 'DELETE'], 'session_cache_sessions_changed'],
  ['users', ['UPDATE', 'DELETE'], 'session_cache_users_changed'],
  ['users_groups', ['INSERT', 'UPDATE', 'DELETE'], 'session_cache_memberships_changed'],
  ['users_permissions', ['INSERT', 'UPDATE', 'DELETE'], 'session_cache_memberships_changed'],
  ['groups_permissions', ['INSERT', 'UPDATE', 'DELETE'], 'session_cache_group_permissions_changed'],
];
const TRUNCATED = ['sessions', 'users', 'users_groups', 'users_permissions', 'groups_permissions'];

const triggerName = (table: string, event: string) => `${table}_session_cache_${event.toLowerCase()}`;

export class Migration20261202172940_session_cache_notify extends Migration {
  override async up(): Promise<void> {
    for (const sql of Object.values(FUNCTIONS)) this.addSql(sql);
    for (const [table, events, fn] of TRIGGERS) {
      for (const event of events) {
        // A trigger with transition tables serves one event, hence one per event.
        this.addSql(
          `create trigger "${triggerName(table, event)}" after ${event.toLowerCase()} on "${table}"
            ${REFERENCING[event]} for each statement execute function "${fn}"();`,
        );
      }
    }
    for (const table of TRUNCATED) {
      this.addSql(
        `create trigger "${triggerName(table, 'truncate')}" after truncate on "${table}"
          for each statement execute function "session_cache_everything_changed"();`,
      );
    }
  }

  override async down(): Promise<void> {
    for (const table of TRUNCATED)
      this.addSql(`drop trigger if exists "${triggerName(table, 'truncate')}" on "${table}";`);
    for (const [table, events] of TRIGGERS) {
      for (const event of events) this.addSql(`drop trigger if exists "${triggerName(table, event)}" on "${table}";`);
    }
    for (const signature of [
      '"session_cache_everything_changed"()',
      '"session_cache_group_permissions_changed"()',
      '"session_cache_memberships_changed"()',
      '"session_cache_users_changed"()',
      '"session_cache_sessions_changed"()',
      '"session_cache_notify"(text, text[])',
    ]) {
      this.addSql(`drop function if exists ${signature};`);
    }
  }
}
