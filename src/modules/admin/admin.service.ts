import type { EntityManager } from '@mikro-orm/postgresql';
import { badUserInput, forbidden, messages } from '../../errors';
import { execute } from '../../lib/sql';
import { invalidateUserSessions } from '../auth/auth.service';
import type { UserRecord } from '../user/user.entity';
import { findUserById } from '../user/user.service';

// The acting user's rights are re-read from the database by every staff operation, never taken
// from the request's (possibly cached) viewer: a demotion takes effect on the very next request.

/** Non-staff learn nothing about the target: the check comes before any lookup. */
async function requireStaff(em: EntityManager, actorId: string): Promise<UserRecord> {
  const actor = await findUserById(em, actorId);
  if (!actor?.isStaff || !actor.isActive) throw forbidden();
  return actor;
}

async function findTarget(em: EntityManager, id: string): Promise<UserRecord> {
  const target = await findUserById(em, id);
  if (!target) throw badUserInput({ id: [messages.userNotFound] });
  return target;
}

/** Staff manage ordinary accounts; acting on another staff account takes a superuser. */
function requireRightsOver(actor: UserRecord, target: UserRecord): void {
  if ((target.isStaff || target.isSuperuser) && !actor.isSuperuser) throw forbidden(messages.superuserRequired);
}

/** Disabling an account revokes all its sessions in the same transaction. */
export async function setUserActive(
  em: EntityManager,
  actorId: string,
  id: string,
  active: boolean,
): Promise<UserRecord> {
  const actor = await requireStaff(em, actorId);
  const target = await findTarget(em, id);
  if (target.id === actor.id) {
    if (!active) throw forbidden(messages.cannotDeactivateSelf);
  } else {
    requireRightsOver(actor, target);
  }
  await em.transactional(async (tx) => {
    await execute(tx, 'update users set is_active = ? where id = ?', [active, target.id]);
    if (!active) await invalidateUserSessions(tx, target.id);
  });
  return { ...target, isActive: active };
}

export async function deleteUser(em: EntityManager, actorId: string, id: string): Promise<void> {
  const actor = await requireStaff(em, actorId);
  if (id.toLowerCase() === actor.id) throw forbidden(messages.cannotDeleteSelf);
  const target = await findTarget(em, id);
  requireRightsOver(actor, target);
  await execute(em, 'delete from users where id = ?', [target.id]);
}
