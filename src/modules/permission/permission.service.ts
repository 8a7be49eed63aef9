import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { badUserInput, messages } from '../../errors';
import { sortCodenames } from '../../lib/access-names';
import { isUuid } from '../../lib/ids';
import { User } from '../user/user.entity';
import { Permission } from './permission.entity';

/** What one user may do, as of the moment it was loaded. A superuser holds every permission. */
export class PermissionSet {
  static readonly none = new PermissionSet(false, new Set());

  constructor(
    readonly superuser: boolean,
    private readonly held: ReadonlySet<string>,
  ) {}

  has(codename: string): boolean {
    return this.superuser || this.held.has(codename);
  }

  /** The subset of `codenames` this set lacks (none for a superuser). */
  lacking(codenames: Iterable<string>): string[] {
    return this.superuser ? [] : sortCodenames([...codenames].filter((codename) => !this.held.has(codename)));
  }
}

/**
 * The codenames a (non-superuser) user holds directly or through a group, in ONE query. `$some`
 * makes each path an IN subquery that starts from the user's rows of a pivot table (their primary
 * keys lead with user_id); plain joins would multiply one path's rows by the other's and walk
 * every holder of every permission.
 */
async function heldCodenames(em: EntityManager, userId: string): Promise<string[]> {
  const found = await em.find(
    Permission,
    { $or: [{ users: { $some: { id: userId } } }, { groups: { $some: { users: { $some: { id: userId } } } } }] },
    { fields: ['codename'], disableIdentityMap: true },
  );
  return found.map((permission) => permission.codename);
}

/**
 * The permission set behind an authorization check, read from the database for this request (no
 * cache across requests: a change to a user's or a group's permissions applies from the user's
 * next request, on every instance). `user` is the request's viewer. Its row may come from the
 * optional session cache, so "superuser" is confirmed by a fresh read: a demoted superuser loses
 * everything at once, as before permissions existed. Either way the check costs one query.
 */
export async function loadPermissionSet(
  em: EntityManager,
  user: Pick<User, 'id' | 'isSuperuser'>,
): Promise<PermissionSet> {
  if (user.isSuperuser && (await em.count(User, { id: user.id, isSuperuser: true, isActive: true })) > 0) {
    return new PermissionSet(true, new Set());
  }
  return new PermissionSet(false, new Set(await heldCodenames(em, user.id)));
}

async function allCodenames(em: EntityManager): Promise<string[]> {
  const all = await em.find(Permission, {}, { fields: ['codename'], disableIdentityMap: true });
  return sortCodenames(all.map((permission) => permission.codename));
}

/**
 * Every codename the user holds (directly, through a group, or all of them for a superuser),
 * sorted; empty for an unknown or inactive user. The access token's `perms` claim (issue 12).
 */
export async function permissionCodenames(em: EntityManager, userId: string): Promise<string[]> {
  if (!isUuid(userId)) return [];
  const user = await em.findOne(User, { id: userId, isActive: true }, { fields: ['isSuperuser'] });
  if (!user) return [];
  return user.isSuperuser ? allCodenames(em) : sortCodenames(await heldCodenames(em, userId));
}

/**
 * The same, for the User.permissions field of each user a response shows: the collections are
 * loaded through MikroORM's dataloader, so a page of users costs three queries, not three each.
 */
export async function effectiveCodenames(em: EntityManager, user: Pick<User, 'id' | 'isSuperuser'>): Promise<string[]> {
  if (user.isSuperuser) return allCodenames(em);
  const shown = em.getReference(User, user.id);
  const [direct, groups] = await Promise.all([
    shown.userPermissions.load({ dataloader: true }),
    shown.groups.load({ dataloader: true }),
  ]);
  const viaGroups = await Promise.all(groups.map((group) => group.permissions.load({ dataloader: true })));
  return sortCodenames([direct, ...viaGroups].flatMap((permissions) => permissions.getIdentifiers<string>()));
}

export function listPermissions(em: EntityManager): Promise<Permission[]> {
  return em.find(Permission, {}, { orderBy: { codename: 'asc' } });
}

/** Inserts an application-defined permission; the primary key answers "already exists". */
export async function createPermission(
  em: EntityManager,
  input: { codename: string; name: string },
): Promise<Permission> {
  try {
    await em.insert(Permission, { codename: input.codename, name: input.name });
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) {
      throw badUserInput({ codename: [messages.permissionTaken] });
    }
    throw error;
  }
  return em.create(Permission, input, { managed: true, persist: false });
}
