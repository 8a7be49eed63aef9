import {
  BUILT_IN_PERMISSIONS,
  STAFF_GROUP_ID,
  STAFF_GROUP_NAME,
  STAFF_GROUP_PERMISSIONS,
} from '../../src/modules/permission/built-ins';

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
