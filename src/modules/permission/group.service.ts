import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { addFieldError, badUserInput, forbidden, messages, type FieldErrors } from '../../errors';
import { canonicalGroupName, isCodename } from '../../lib/access-names';
import { isUuid } from '../../lib/ids';
import { STAFF_GROUP_ID } from './built-ins';
import { Group } from './group.entity';
import { Permission } from './permission.entity';
import type { PermissionSet } from './permission.service';

export interface GroupChanges {
  name: string;
  permissions: string[];
}

export function listGroups(em: EntityManager): Promise<Group[]> {
  return em.find(Group, {}, { orderBy: { nameCanonical: 'asc' } });
}

/** The permissions named, each once; a problem under `field` for every one that does not exist. */
export async function findPermissions(
  em: EntityManager,
  codenames: string[],
  fields: FieldErrors,
  field = 'permissions',
): Promise<Permission[]> {
  const wanted = [...new Set(codenames)];
  const found = wanted.length > 0 ? await em.find(Permission, { codename: wanted.filter(isCodename) }) : [];
  const existing = new Set(found.map((permission) => permission.codename));
  if (wanted.some((codename) => !isCodename(codename))) addFieldError(fields, field, messages.codenameFormat);
  const unknown = wanted.filter((codename) => isCodename(codename) && !existing.has(codename));
  addFieldError(fields, field, ...unknown.map(messages.unknownPermission));
  return found;
}

/**
 * Escalation guard: whoever is not a superuser can hand out (to a group or a user) only what they
 * hold themselves. Otherwise users.change_user or groups.change_group alone would be a way to
 * every other permission.
 */
export function requireHeld(caller: PermissionSet, granted: Iterable<string>): void {
  const lacking = caller.lacking(granted);
  if (lacking.length > 0) throw forbidden(messages.grantOnlyHeld(lacking));
}

async function requireNameFree(em: EntityManager, nameCanonical: string, exceptId: string | null, fields: FieldErrors) {
  const holder = await em.findOne(Group, { nameCanonical, ...(exceptId ? { id: { $ne: exceptId } } : {}) });
  if (holder) addFieldError(fields, 'name', messages.groupNameTaken);
}

/** A concurrent twin that won the race on the unique index is reported as the check would have. */
async function withNameConflict<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) throw badUserInput({ name: [messages.groupNameTaken] });
    throw error;
  }
}

export async function findGroup(em: EntityManager, id: string): Promise<Group> {
  const group = isUuid(id) ? await em.findOne(Group, { id: id.toLowerCase() }, { populate: ['permissions'] }) : null;
  if (!group) throw badUserInput({ id: [messages.groupNotFound] });
  return group;
}

/** Every problem with the input at once, and nothing written unless there is none. */
export function createGroup(em: EntityManager, caller: PermissionSet, input: GroupChanges): Promise<Group> {
  return withNameConflict(() =>
    em.transactional(async (tx) => {
      const fields: FieldErrors = {};
      const nameCanonical = canonicalGroupName(input.name);
      await requireNameFree(tx, nameCanonical, null, fields);
      const permissions = await findPermissions(tx, input.permissions, fields);
      if (Object.keys(fields).length > 0) throw badUserInput(fields);
      requireHeld(caller, input.permissions);
      const group = tx.create(Group, { name: input.name, nameCanonical, permissions });
      await tx.flush();
      return group;
    }),
  );
}

/** Replaces a group's name and permissions; its members' rights change from their next request. */
export function updateGroup(em: EntityManager, caller: PermissionSet, id: string, input: GroupChanges) {
  return withNameConflict(() =>
    em.transactional(async (tx) => {
      const group = await findGroup(tx, id);
      // The Staff group holds what staff accounts may do: only a superuser changes it.
      if (group.id === STAFF_GROUP_ID && !caller.superuser) throw forbidden(messages.staffGroupSuperuserOnly);
      const fields: FieldErrors = {};
      const nameCanonical = canonicalGroupName(input.name);
      if (group.id === STAFF_GROUP_ID && input.name !== group.name)
        addFieldError(fields, 'name', messages.staffGroupFixed);
      else await requireNameFree(tx, nameCanonical, group.id, fields);
      const permissions = await findPermissions(tx, input.permissions, fields);
      if (Object.keys(fields).length > 0) throw badUserInput(fields);
      const before = new Set(group.permissions.getIdentifiers<string>());
      requireHeld(
        caller,
        permissions.map((permission) => permission.codename).filter((codename) => !before.has(codename)),
      );
      Object.assign(group, { name: input.name, nameCanonical });
      group.permissions.set(permissions);
      await tx.flush();
      return group;
    }),
  );
}

/** Removes a group; the pivot tables' cascades take its memberships and grants with it. */
export async function deleteGroup(em: EntityManager, id: string): Promise<void> {
  const groupId = id.toLowerCase();
  if (groupId === STAFF_GROUP_ID) throw badUserInput({ id: [messages.staffGroupFixed] });
  const deleted = isUuid(groupId) ? await em.nativeDelete(Group, { id: groupId }) : 0;
  if (deleted === 0) throw badUserInput({ id: [messages.groupNotFound] });
}
