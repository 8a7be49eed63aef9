import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../config';
import { badUserInput, messages, type FieldErrors } from '../../errors';
import type { PasswordHasher } from '../../lib/password-hash';
import type { Throttle } from '../auth/auth.throttle';
import { invalidateOtherSessions, type Viewer } from '../auth/session.service';
import { User } from '../user/user.entity';

export interface PasswordServices {
  config: Config;
  hasher: PasswordHasher;
  throttle: Throttle;
  request: { ip: string };
}

/**
 * Checks a password the caller typed to confirm a sensitive change. One bcrypt comparison;
 * a password longer than any we accept cannot match and is not hashed.
 */
async function passwordMatches(
  em: EntityManager,
  userId: string,
  password: string,
  { config, hasher, throttle, request }: PasswordServices,
): Promise<boolean> {
  // The hash alone, past the identity map (where the viewer's entity was loaded without it).
  const row = await em
    .createQueryBuilder(User)
    .select(['passwordHash'])
    .where({ id: userId })
    .execute<{ passwordHash: string } | undefined>('get');
  if (!row?.passwordHash || [...password].length > config.passwordMaxLength) return false;
  // A stolen token must not become a password oracle: the login's progressive delay, per account.
  return throttle.attemptPasswordCheck(`user:${userId}`, () => hasher.verify(password, row.passwordHash, request.ip));
}

/**
 * Needs the current password; `ruleProblems` are the new password's (policy, differs from the
 * current one), reported together with a wrong current password. Afterwards every other
 * session of the user is revoked, while the session that made the change stays valid.
 */
export async function changePassword(
  em: EntityManager,
  viewer: Viewer,
  input: { currentPassword: string; newPassword: string },
  ruleProblems: FieldErrors,
  services: PasswordServices,
): Promise<void> {
  const fields: FieldErrors = {};
  if (!(await passwordMatches(em, viewer.user.id, input.currentPassword, services))) {
    fields.currentPassword = [messages.wrongCurrentPassword];
  }
  Object.assign(fields, ruleProblems);
  if (Object.keys(fields).length > 0) throw badUserInput(fields);

  const passwordHash = await services.hasher.hash(input.newPassword, services.request.ip);
  await em.transactional(async (tx) => {
    await tx.nativeUpdate(User, { id: viewer.user.id }, { passwordHash });
    await invalidateOtherSessions(tx, viewer.user.id, viewer.sessionId);
  });
}

/** Deletes the caller's account and, by the foreign key's cascade, all its sessions at once. */
export async function deleteAccount(
  em: EntityManager,
  userId: string,
  password: string,
  services: PasswordServices,
): Promise<void> {
  if (!(await passwordMatches(em, userId, password, services))) {
    throw badUserInput({ password: [messages.wrongPassword] });
  }
  await em.nativeDelete(User, { id: userId });
}
