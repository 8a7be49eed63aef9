import type { EntityManager } from '@mikro-orm/postgresql';
import { badUserInput, forbidden, messages } from '../../errors';
import { isUuid } from '../../lib/ids';
import { invalidateUserSessions } from '../auth/session.service';
import { User } from '../user/user.entity';

// The acting user's rights are re-read from the database by every staff operation, never taken
// from the request's (possibly cached) viewer: a demotion takes effect on the very next request.

/** Non-staff learn nothing about the target: the check comes before any lookup. */
async function requireStaff(em: EntityManager, actorId: string): Promise<User> {
  const actor = await em.findOne(User, { id: actorId }, { refresh: true });
  if (!actor?.isStaff || !actor.isActive) throw forbidden();
  return actor;
}

async function findTarget(em: EntityManager, id: string): Promise<User> {
  const target = isUuid(id) ? await em.findOne(User, { id: id.toLowerCase() }) : null;
  if (!target) throw badUserInput({ id: [messages.userNotFound] });
  return target;
}

/** Staff manage ordinary accounts; acting on another staff account takes a superuser. */
function requireRightsOver(actor: User, target: User): void {
  if ((target.isStaff || target.isSuperuser) && !actor.isSuperuser) throw forbidden(messages.superuserRequired);
}

/** Disabling an account revokes all its sessions in the same transaction. */
export function setUserActive(em: EntityManager, actorId: string, id: string, active: boolean): Promise<User> {
  return em.transactional(async (tx) => {
    const actor = await requireStaff(tx, actorId);
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

/** Deletes a user; the foreign key's cascade takes its sessions in the same statement. */
export async function deleteUser(em: EntityManager, actorId: string, id: string): Promise<void> {
  const actor = await requireStaff(em, actorId);
  if (id.toLowerCase() === actor.id) throw forbidden(messages.cannotDeleteSelf);
  const target = await findTarget(em, id);
  requireRightsOver(actor, target);
  await em.nativeDelete(User, { id: target.id });
}
