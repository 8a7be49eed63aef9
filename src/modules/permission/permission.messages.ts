// The messages of groups and permissions, spread into the one catalogue (`messages` in
// src/errors.ts), where resolvers, services and tests take them from.
export const permissionMessages = {
  codenameFormat:
    'Enter a codename like "app.action": lower-case letters, digits and _, with one dot, at most 100 characters.',
  permissionName: 'Enter a name of 1 to 255 characters.',
  permissionTaken: 'A permission with that codename already exists.',
  unknownPermission: (codename: string) => `There is no permission "${codename}".`,
  groupName: 'Enter a group name of 1 to 150 characters.',
  groupNameTaken: 'A group with that name already exists.',
  groupNotFound: 'There is no group with this id.',
  unknownGroup: (id: string) => `There is no group with the id ${id}.`,
  staffGroupFixed: 'The built-in group Staff can be neither renamed nor deleted.',
  staffGroupFollowsIsStaff: 'An account is in Staff exactly when it is staff: set isStaff instead.',
  staffGroupSuperuserOnly: 'Only a superuser can change the Staff group.',
  isStaffSuperuserOnly: 'Only a superuser can change isStaff.',
  grantOnlyHeld: (codenames: string[]) =>
    `You can only grant permissions you hold yourself; you lack ${codenames.join(', ')}.`,
} as const;
