import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../config';
import { AppError, badUserInput, ErrorCode, messages, type FieldErrors } from '../../errors';
import { canonicalEmail } from '../../lib/identity';
import type { PasswordHasher } from '../../lib/password-hash';
import { invalidateUserSessions, type Viewer } from '../auth/session.service';
import { User } from '../user/user.entity';
import { updateUserProfile, type ProfileChanges } from '../user/user.service';
import { consumeToken, enqueueMail, findUsableToken, issueMailToken, retireTokens } from './mail-token.service';
import { emailChangedMail, emailVerificationMail, linkFor, passwordResetMail } from './mail.templates';
import type { Mailer } from './mailer';

export interface MailServices {
  config: Config;
  mailer: Mailer;
}

const invalidToken = () => badUserInput({ token: [messages.invalidMailToken] });

function requireMail(mailer: Mailer): void {
  if (!mailer.enabled) throw new AppError(ErrorCode.SERVICE_UNAVAILABLE, messages.mailNotConfigured);
}

/** Whether an account's address should be confirmed by mail at all. */
function verifying({ config, mailer }: MailServices): boolean {
  return mailer.enabled && config.mail.emailVerification !== 'off';
}

/** Queues a confirmation for the user's current address, in the caller's transaction. */
async function queueVerification(tx: EntityManager, user: User, config: Config): Promise<void> {
  const ttl = config.mail.emailVerificationTtlSeconds;
  const token = await issueMailToken(tx, user.id, 'email_verification', user.email, ttl);
  const link = linkFor(config.mail.emailVerificationUrl, token);
  await enqueueMail(tx, 'email_verification', user.email, emailVerificationMail(user.username, link, ttl));
}

/** register's hook, run in its transaction: the confirmation mail for the new account. */
export function verificationOnRegister(
  services: MailServices,
): ((tx: EntityManager, user: User) => Promise<void>) | undefined {
  return verifying(services) ? (tx, user) => queueVerification(tx, user, services.config) : undefined;
}

/**
 * Answers the same whether or not the address has an account: past the per-client cap (checked
 * first, TOO_MANY_REQUESTS), everything that depends on the address — its own cap, the lookup,
 * the token and the mail — runs after the response, so neither the answer nor its timing differs.
 * Past the per-address cap the answer is still true and no mail goes out.
 */
export async function requestPasswordReset(
  em: EntityManager,
  email: string,
  ip: string,
  { config, mailer }: MailServices,
): Promise<void> {
  requireMail(mailer);
  await mailer.throttle.passwordResetFromIp(ip);
  if (email.length > 320) return;
  const emailCanonical = canonicalEmail(email);
  const fork = em.fork();
  mailer.defer(async () => {
    if (!(await mailer.throttle.passwordResetToAddress(emailCanonical))) return;
    const user = await fork.findOne(User, { emailCanonical, isActive: true });
    if (!user) return;
    const ttl = config.mail.passwordResetTtlSeconds;
    await fork.transactional(async (tx) => {
      // Only the newest link works: a mailbox read later cannot use an older one.
      await retireTokens(tx, user.id, 'password_reset');
      const token = await issueMailToken(tx, user.id, 'password_reset', user.email, ttl);
      const link = linkFor(config.mail.passwordResetUrl, token);
      await enqueueMail(tx, 'password_reset', user.email, passwordResetMail(user.username, link, ttl));
    });
    mailer.wake();
  });
}

/**
 * Sets the password from a reset link and revokes every session of the account. The token is
 * checked first (nothing is said about a password for an unknown token), then the policy with
 * the token's user's own words; only a successful reset uses the token up.
 */
export async function resetPassword(
  em: EntityManager,
  input: { token: string; newPassword: string },
  hasher: PasswordHasher,
  policyProblems: (user: User) => Promise<FieldErrors>,
): Promise<string> {
  const found = await findUsableToken(em, input.token, 'password_reset');
  if (!found) throw invalidToken();
  const user = found.user.getEntity();
  const problems = await policyProblems(user);
  if (Object.keys(problems).length > 0) throw badUserInput(problems);
  const passwordHash = await hasher.hash(input.newPassword);
  await em.transactional(async (tx) => {
    if (!(await consumeToken(tx, found.id))) throw invalidToken();
    await retireTokens(tx, user.id, 'password_reset');
    // The link reached this address: if it is still the account's, it is confirmed too (the way
    // out for an account that EMAIL_VERIFICATION=required keeps from logging in).
    const confirmed = canonicalEmail(found.email) === user.emailCanonical;
    await tx.nativeUpdate(User, { id: user.id }, { passwordHash, ...(confirmed ? { emailVerified: true } : {}) });
    await invalidateUserSessions(tx, user.id);
  });
  return user.id;
}

/** Confirms the address the token was mailed to, if it is still the account's; returns the user id. */
export async function verifyEmail(em: EntityManager, token: string): Promise<string> {
  const found = await findUsableToken(em, token, 'email_verification');
  if (!found) throw invalidToken();
  const userId = found.user.id;
  await em.transactional(async (tx) => {
    if (!(await consumeToken(tx, found.id))) throw invalidToken();
    const confirmed = await tx.nativeUpdate(
      User,
      { id: userId, emailCanonical: canonicalEmail(found.email) },
      { emailVerified: true },
    );
    if (confirmed === 0) throw invalidToken();
  });
  return userId;
}

/** A new link to the caller's unconfirmed address; false when it is confirmed already. */
export async function resendVerificationEmail(
  em: EntityManager,
  viewer: Viewer,
  services: MailServices,
): Promise<boolean> {
  requireMail(services.mailer);
  if (viewer.user.emailVerified) return false;
  await services.mailer.throttle.verificationResend(viewer.user.id);
  await em.transactional((tx) => queueVerification(tx, viewer.user, services.config));
  services.mailer.wake();
  return true;
}

/**
 * updateProfile with the address rules: a new address (not just another case of the old one) is
 * unconfirmed; unless verification is off, it gets a confirmation link and the old address a
 * notice without one. Earlier confirmation links are retired: they were for another address.
 */
export async function updateProfileWithMail(
  em: EntityManager,
  user: User,
  changes: ProfileChanges,
  services: MailServices,
): Promise<User> {
  const previousEmail = user.email;
  const changing = changes.email != null && canonicalEmail(changes.email) !== user.emailCanonical;
  if (changing) user.emailVerified = false;
  const updated = await updateUserProfile(em, user, changes);
  if (!changing || !verifying(services)) return updated;
  await em.transactional(async (tx) => {
    await retireTokens(tx, updated.id, 'email_verification');
    await queueVerification(tx, updated, services.config);
    await enqueueMail(tx, 'email_changed', previousEmail, emailChangedMail(updated.username, updated.email));
  });
  services.mailer.wake();
  return updated;
}
