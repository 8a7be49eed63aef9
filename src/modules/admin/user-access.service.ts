import type { EntityManager } from '@mikro-orm/postgresql';
import { addFieldError, badUserInput, forbidden, messages, type FieldErrors } from '../../errors';
import { isUuid } from '../../lib/ids';
import { STAFF_GROUP_ID } from '../permission/built-ins';
import { Group } from '../permission/group.entity';
import { findPermissions, requireHeld } from '../permission/group.service';
import type { Permission } from '../permission/permission.entity';
import type { PermissionSet } from '../permission/permission.service';
import type { User } from '../user/user.entity';
import { findActor, findTarget, requireRightsOver } from './admin.service';

export interface AccessChanges {
  userId: string;
  groupIds?: string[] | null;
  permissions?: string[] | null;
  isStaff?: boolean | null;
}

async function findGroups(em: EntityManager, ids: string[], fields: FieldErrors): Promise<Group[]> {
  const wanted = [...new Set(ids.map((id) => id.toLowerCase()))];
  const valid = wanted.filter(isUuid);
  const found = valid.length > 0 ? await em.find(Group, { id: valid }, { populate: ['permissions'] }) : [];
  const existing = new Set(found.map((group) => group.id));
  if (valid.length < wanted.length) addFieldError(fields, 'groupIds', messages.groupNotFound);
  addFieldError(fields, 'groupIds', ...valid.filter((id) => !existing.has(id)).map(messages.unknownGroup));
  return found;
}

/** What the change hands out that the user did not hold before, for the escalation guard. */
function newlyGranted(target: User, groups: Group[] | null, permissions: Permission[] | null): string[] {
  const granted = new Set<string>();
  if (permissions) {
    const before = new Set(target.userPermissions.getIdentifiers<string>());
    for (const permission of permissions) if (!before.has(permission.codename)) granted.add(permission.codename);
  }
  if (groups) {
    const before = new Set(target.groups.getIdentifiers<string>());
    for (const group of groups) {
      if (!before.has(group.id))
        for (const codename of group.permissions.getIdentifiers<string>()) granted.add(codename);
    }
  }
  return [...granted];
}

/**
 * Replaces a user's groups and/or direct permissions, and (superusers only) sets isStaff, in one
 * transaction: every bad input is reported at once and nothing is written. Membership of Staff
 * follows isStaff (a database trigger keeps them together on every write path), so groupIds may
 * name Staff only for an account that is or becomes staff, and leaving it out removes no one from
 * it. Nothing is cached across requests: the user's next request, on any instance, runs with the
 * new rights.
 */
export function setUserAccess(
  em: EntityManager,
  actorId: string,
  caller: PermissionSet,
  input: AccessChanges,
): Promise<User> {
  return em.transactional(async (tx) => {
    const actor = await findActor(tx, actorId);
    if (input.isStaff != null && !actor.isSuperuser) throw forbidden(messages.isStaffSuperuserOnly);
    const fields: FieldErrors = {};
    const target = await findTarget(tx, input.userId, { field: 'userId', populate: ['groups', 'userPermissions'] });
    const groups = input.groupIds ? await findGroups(tx, input.groupIds, fields) : null;
    const permissions = input.permissions ? await findPermissions(tx, input.permissions, fields) : null;
    const isStaff = input.isStaff ?? target.isStaff;
    if (!isStaff && groups?.some((group) => group.id === STAFF_GROUP_ID)) {
      addFieldError(fields, 'groupIds', messages.staffGroupFollowsIsStaff);
    }
    if (Object.keys(fields).length > 0) throw badUserInput(fields);
    requireRightsOver(actor, target);
    requireHeld(caller, newlyGranted(target, groups, permissions));

    if (groups) {
      // The Staff row is left as it is: the trigger adds or removes it when isStaff changes.
      const staff = target.groups.getItems().filter((group) => group.id === STAFF_GROUP_ID);
      target.groups.set([...groups.filter((group) => group.id !== STAFF_GROUP_ID), ...staff]);
    }
    if (permissions) target.userPermissions.set(permissions);
    const staffChanged = target.isStaff !== isStaff;
    target.isStaff = isStaff;
    await tx.flush();
    // What the trigger did is not in this unit of work: read the memberships back.
    if (staffChanged) await target.groups.init();
    return target;
  });
}
