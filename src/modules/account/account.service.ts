import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../config';
import { addFieldError, badUserInput, messages, type FieldErrors } from '../../errors';
import { checkPasswordPolicy } from '../../lib/password-policy';
import type { PasswordHasher } from '../../lib/password-hash';
import { execute } from '../../lib/sql';
import { invalidateOtherSessions, type Viewer } from '../auth/auth.service';
import { passwordPolicy } from '../user/user.service';

/**
 * Checks a password the caller typed to confirm a sensitive change. One bcrypt comparison;
 * a password longer than any we accept cannot match and is not hashed.
 */
export interface PasswordServices {
  config: Config;
  hasher: PasswordHasher;
}

async function passwordMatches(
  em: EntityManager,
  userId: string,
  password: string,
  { config, hasher }: PasswordServices,
): Promise<boolean> {
  const [row] = await execute<{ passwordHash: string }[]>(
    em,
    'select password_hash as "passwordHash" from users where id = ?',
    [userId],
  );
  if (!row || [...password].length > config.passwordMaxLength) return false;
  return hasher.verify(password, row.passwordHash);
}

/**
 * Needs the current password; the new one passes the registration policy and differs from it.
 * Afterwards every other session of the user is revoked (whoever else held a token is out),
 * while the session that made the change stays valid.
 */
export async function changePassword(
  em: EntityManager,
  viewer: Viewer,
  input: { currentPassword: string; newPassword: string },
  services: PasswordServices,
): Promise<void> {
  const { config } = services;
  const fields: FieldErrors = {};
  if (!(await passwordMatches(em, viewer.user.id, input.currentPassword, services))) {
    addFieldError(fields, 'currentPassword', messages.wrongCurrentPassword);
  }
  addFieldError(fields, 'newPassword', ...checkPasswordPolicy(input.newPassword, passwordPolicy(config), viewer.user));
  if (input.newPassword === input.currentPassword) addFieldError(fields, 'newPassword', messages.samePassword);
  if (Object.keys(fields).length > 0) throw badUserInput(fields);

  const passwordHash = await services.hasher.hash(input.newPassword);
  await em.transactional(async (tx) => {
    await execute(tx, 'update users set password_hash = ? where id = ?', [passwordHash, viewer.user.id]);
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
  await execute(em, 'delete from users where id = ?', [userId]);
}
