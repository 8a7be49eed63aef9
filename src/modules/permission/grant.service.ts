import type { EntityManager } from '@mikro-orm/postgresql';
import { canonicalGroupName, isCodename } from '../../lib/access-names';
import { canonicalUsername } from '../../lib/identity';
import { User } from '../user/user.entity';
import { STAFF_GROUP_ID } from './built-ins';
import { Group } from './group.entity';
import { Permission } from './permission.entity';

export interface GrantResult {
  /** What was given, as "permission <codename>" or "group <name>"; empty when there are problems. */
  granted: string[];
  problems: string[];
}

/**
 * The first set-up without the API (`npm run grant`): gives a user permissions (by codename) and
 * memberships (by group name, ignoring case), adding to what they hold. A codename-shaped name
 * that is no permission may still be a group's name. Naming Staff makes the account staff, since
 * its members are exactly the staff accounts. All or nothing: one unknown name writes nothing.
 */
export function grantByName(em: EntityManager, username: string, names: string[]): Promise<GrantResult> {
  return em.transactional(async (tx) => {
    const user = await tx.findOne(
      User,
      { usernameCanonical: canonicalUsername(username) },
      { populate: ['groups', 'userPermissions'] },
    );
    if (!user) return { granted: [], problems: [`There is no user named "${username}".`] };
    // Every name is resolved before anything changes: the transaction flushes what was changed
    // even when it returns early.
    const found = [];
    for (const name of names) {
      const permission = isCodename(name) ? await tx.findOne(Permission, { codename: name }) : null;
      const group = permission ? null : await tx.findOne(Group, { nameCanonical: canonicalGroupName(name) });
      found.push({ name, permission, group });
    }
    const problems = found
      .filter(({ permission, group }) => !permission && !group)
      .map(({ name }) => `There is no permission or group named "${name}".`);
    if (problems.length > 0) return { granted: [], problems };
    const granted: string[] = [];
    for (const { permission, group } of found) {
      if (permission) {
        user.userPermissions.add(permission);
        granted.push(`permission ${permission.codename}`);
      } else if (group?.id === STAFF_GROUP_ID) {
        // A database trigger adds the membership when the flag changes.
        user.isStaff = true;
        granted.push(`group ${group.name} (the account is now staff)`);
      } else if (group) {
        user.groups.add(group);
        granted.push(`group ${group.name}`);
      }
    }
    await tx.flush();
    return { granted, problems: [] };
  });
}
