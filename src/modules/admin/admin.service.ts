import type { EntityManager } from '@mikro-orm/postgresql';
import { badUserInput, forbidden, messages } from '../../errors';
import { execute } from '../../lib/sql';
import { invalidateUserSessions } from '../auth/auth.service';
import type { UserRecord } from '../user/user.entity';
import { findUserById } from '../user/user.service';

// Rights are read from the database on every request (the viewer is loaded fresh with the
// session), so a demotion takes effect on the very next request: there is no cached role.

/** Non-staff learn nothing about the target: the check comes before any lookup. */
function requireStaff(actor: UserRecord): void {
  if (!actor.isStaff) throw forbidden();
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
  actor: UserRecord,
  id: string,
  active: boolean,
): Promise<UserRecord> {
  requireStaff(actor);
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

export async function deleteUser(em: EntityManager, actor: UserRecord, id: string): Promise<void> {
  requireStaff(actor);
  if (id.toLowerCase() === actor.id) throw forbidden(messages.cannotDeleteSelf);
  const target = await findTarget(em, id);
  requireRightsOver(actor, target);
  await execute(em, 'delete from users where id = ?', [target.id]);
}
