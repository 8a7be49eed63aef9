import {
  BUILT_IN_PERMISSIONS,
  STAFF_GROUP_ID,
  STAFF_GROUP_NAME,
  STAFF_GROUP_PERMISSIONS,
} from '../../src/modules/permission/built-ins';
import { CREATE_GROUP, SET_USER_ACCESS } from './access-documents';
import { registerStaff, registerUser, type RegisteredUser } from './factories';
import { graphql, type GraphQLResult } from './graphql';
import type { TestApp } from './test-app';

type Sql = (query: string, params?: unknown[]) => Promise<unknown>;

/**
 * Back to what the migrations made: only the built-in permissions, and Staff as the only group
 * with its own permissions (a test may have edited it). Memberships go with the users' truncate.
 */
export async function restoreBuiltInAccess(sql: Sql): Promise<void> {
  await sql('delete from groups where id <> ?', [STAFF_GROUP_ID]);
  await sql(`delete from permissions where codename not in (${BUILT_IN_PERMISSIONS.map(() => '?').join(', ')})`, [
    ...BUILT_IN_PERMISSIONS,
  ]);
  await sql('update groups set name = ?, name_canonical = lower(?) where id = ?', [
    STAFF_GROUP_NAME,
    STAFF_GROUP_NAME,
    STAFF_GROUP_ID,
  ]);
  await sql('delete from groups_permissions where group_id = ?', [STAFF_GROUP_ID]);
  for (const codename of STAFF_GROUP_PERMISSIONS) {
    await sql('insert into groups_permissions (group_id, permission_codename) values (?, ?)', [
      STAFF_GROUP_ID,
      codename,
    ]);
  }
}

/** A name no other test has taken: `prefix-` and six random characters. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
}

type Variables = Record<string, unknown>;

/** setUserAccess's input: lists given replace what the user holds, lists omitted stay. */
export interface AccessInput {
  userId: string;
  groupIds?: string[];
  permissions?: string[];
  isStaff?: boolean;
}

/** A test app with a superuser, `root`, and the steps the access tests are made of. */
export interface AccessTestApp extends TestApp {
  root: RegisteredUser;
  /** Runs a document with this session token ('' for none); the response as it came. */
  as(token: string, query: string, variables?: Variables): Promise<GraphQLResult>;
  /** Runs a document as root; the response as it came. */
  asRoot(query: string, variables?: Variables): Promise<GraphQLResult>;
  /** Runs a set-up step as root: its data, or an exception with the response when it failed. */
  arrange(query: string, variables?: Variables): Promise<Record<string, any>>;
  /** setUserAccess as root, which must succeed. */
  grant(input: AccessInput): Promise<void>;
  /** A new user holding exactly these permissions, directly. */
  userWith(permissions: string[]): Promise<RegisteredUser>;
  /** A new group with these permissions, under a name of its own, created by root. */
  newGroup(permissions: string[]): Promise<{ id: string; name: string }>;
}

/** Empties the tables of a started test app and registers its superuser `root` (staff too). */
export async function setUpAccessTests(t: TestApp): Promise<AccessTestApp> {
  await t.reset();
  const root = await registerStaff(t.url, t.sql, { superuser: true });
  const as = (token: string, query: string, variables: Variables = {}) => graphql(t.url, query, variables, { token });
  const arrange = async (query: string, variables: Variables = {}) => {
    const result = await as(root.token, query, variables);
    if (result.errors) throw new Error(result.text);
    return result.data!;
  };
  const grant = async (input: AccessInput) => {
    await arrange(SET_USER_ACCESS, { input });
  };
  return {
    ...t,
    root,
    as,
    asRoot: (query, variables) => as(root.token, query, variables),
    arrange,
    grant,
    async userWith(permissions) {
      const user = await registerUser(t.url);
      await grant({ userId: user.id, permissions });
      return user;
    },
    async newGroup(permissions) {
      return (await arrange(CREATE_GROUP, { input: { name: uniqueName('group'), permissions } })).createGroup;
    },
  };
}
