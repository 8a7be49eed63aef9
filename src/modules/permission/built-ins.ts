// The permissions and the group this API itself relies on. Migration20261201204827_access_built_ins
// created them (with its own copy of these values, as migrations must not change afterwards).

export const Permissions = {
  viewUser: 'users.view_user',
  changeUser: 'users.change_user',
  deleteUser: 'users.delete_user',
  viewGroup: 'groups.view_group',
  addGroup: 'groups.add_group',
  changeGroup: 'groups.change_group',
  deleteGroup: 'groups.delete_group',
  addPermission: 'permissions.add_permission',
} as const;

export const BUILT_IN_PERMISSIONS: readonly string[] = Object.values(Permissions);

/**
 * "Staff": today's staff rights. Its members are exactly the staff accounts (isStaff), so it is
 * found by this fixed id, and it can be neither renamed nor deleted; a superuser may edit its
 * permissions.
 */
export const STAFF_GROUP_ID = 'c3f55fbf-2959-4c90-9c36-a9f96a056fc4';
export const STAFF_GROUP_NAME = 'Staff';
export const STAFF_GROUP_PERMISSIONS: readonly string[] = [
  Permissions.viewUser,
  Permissions.changeUser,
  Permissions.deleteUser,
];
