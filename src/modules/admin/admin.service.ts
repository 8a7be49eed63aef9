import type { EntityManager } from '@mikro-orm/postgresql';
import { badUserInput, forbidden, messages } from '../../errors';
import { isUuid } from '../../lib/ids';
import { invalidateUserSessions } from '../auth/session.service';
import { User } from '../user/user.entity';

// The permission an operation needs is checked before it starts (@Authorized, from this request's
// own read of the database). What only a superuser may do is decided here, from the acting user
// as re-read by the operation itself, never from the request's (possibly cached) viewer: a
// demotion takes effect on the very next request.

/** The acting user, fresh from the database; gone or disabled meanwhile means no rights at all. */
export async function findActor(em: EntityManager, actorId: string): Promise<User> {
  const actor = await em.findOne(User, { id: actorId }, { refresh: true });
  if (!actor?.isActive) throw forbidden();
  return actor;
}

export async function findTarget(
  em: EntityManager,
  id: string,
  options: { field?: string; populate?: ('groups' | 'userPermissions')[] } = {},
): Promise<User> {
  const target = isUuid(id) ? await em.findOne(User, { id: id.toLowerCase() }, { populate: options.populate }) : null;
  if (!target) throw badUserInput({ [options.field ?? 'id']: [messages.userNotFound] });
  return target;
}

/** Holders of a permission manage ordinary accounts; acting on a staff account takes a superuser. */
export function requireRightsOver(actor: User, target: User): void {
  if ((target.isStaff || target.isSuperuser) && !actor.isSuperuser) throw forbidden(messages.superuserRequired);
}

/** Disabling an account revokes all its sessions in the same transaction. */
export function setUserActive(em: EntityManager, actorId: string, id: string, active: boolean): Promise<User> {
  return em.transactional(async (tx) => {
    const actor = await findActor(tx, actorId);
    const target = await findTarget(tx, id);
    if (target.id === actor.id) {
      if (!active) throw forbidden(messages.cannotDeactivateSelf);
    } else {
      requireRightsOver(actor, target);
    }
    target.isActive = active;
    if (!active) await invalidateUserSessions(tx, target.id);
    return target;
  });
}

/** Deletes a user; the foreign keys' cascades take its sessions and memberships in the same statement. */
export async function deleteUser(em: EntityManager, actorId: string, id: string): Promise<void> {
  const actor = await findActor(em, actorId);
  if (id.toLowerCase() === actor.id) throw forbidden(messages.cannotDeleteSelf);
  const target = await findTarget(em, id);
  requireRightsOver(actor, target);
  await em.nativeDelete(User, { id: target.id });
}
