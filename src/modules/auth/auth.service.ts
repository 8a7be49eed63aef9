import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../config';
import { AppError, ErrorCode, messages, unauthenticated, UnauthenticatedReason } from '../../errors';
import { canonicalEmail, canonicalUsername } from '../../lib/identity';
import { HashQueueFullError, type PasswordHasher } from '../../lib/password-hash';
import type { LoginOutcome, MetricsRecorder } from '../../metrics/metrics';
import { User } from '../user/user.entity';
import { createUser, type NewUser } from '../user/user.service';
import type { Throttle } from './auth.throttle';
import { Session } from './session.entity';
import { createSession, type IssuedSession } from './session.service';

export interface Credentials {
  username: string;
  password: string;
}

interface LoginOptions {
  config: Config;
  hasher: PasswordHasher;
  throttle: Throttle;
  dummyPasswordHash: string;
  userAgent: string | null;
  ip: string;
  metrics: MetricsRecorder;
}

/** The outcome /metrics counts for a refused login; only `inactive` is told apart inside login. */
function loginOutcomeOf(error: unknown): LoginOutcome {
  if (error instanceof HashQueueFullError) return 'busy';
  if (!(error instanceof AppError)) return 'error';
  if (error.extensions.code === ErrorCode.TOO_MANY_REQUESTS) return 'throttled';
  if (error.extensions.code === ErrorCode.EMAIL_NOT_VERIFIED) return 'email_not_verified';
  return error.extensions.code === ErrorCode.UNAUTHENTICATED ? 'invalid_credentials' : 'error';
}

/** Logs in, and counts the outcome (the client sees one error for unknown, wrong and inactive). */
export async function login(
  em: EntityManager,
  credentials: Credentials,
  options: LoginOptions,
): Promise<IssuedSession & { user: User }> {
  const noted: { inactive?: boolean } = {};
  try {
    const result = await checkAndLogIn(em, credentials, options, noted);
    options.metrics.loginOutcome('success');
    return result;
  } catch (error) {
    options.metrics.loginOutcome(noted.inactive ? 'inactive' : loginOutcomeOf(error));
    throw error;
  }
}

/**
 * One bcrypt comparison on every path: against the user's hash, or against a dummy hash of the
 * same cost when the name is unknown, so neither the answer nor its timing tells whether an
 * account exists or is inactive.
 */
async function checkAndLogIn(
  em: EntityManager,
  credentials: Credentials,
  options: LoginOptions,
  noted: { inactive?: boolean },
): Promise<IssuedSession & { user: User }> {
  const { config } = options;
  // Longer than any password we accept: it cannot match, and it must not cost a hash.
  if ([...credentials.password].length > config.passwordMaxLength || credentials.username.length > 320) {
    throw unauthenticated(UnauthenticatedReason.INVALID_CREDENTIALS);
  }
  const loginName = canonicalUsername(credentials.username);
  const candidates = await em.getRepository(User).findByLoginName(loginName, canonicalEmail(credentials.username));
  const found = candidates.find((user) => user.usernameCanonical === loginName) ?? candidates[0];
  // An existing account is counted by id, so its username and its email share one counter; an
  // unknown name is counted by its canonical form.
  const passwordMatches = await options.throttle.attemptLogin(
    found ? `user:${found.id}` : `name:${loginName}`,
    options.ip,
    () => options.hasher.verify(credentials.password, found?.passwordHash ?? options.dummyPasswordHash, options.ip),
  );
  if (!found || !passwordMatches || !found.isActive) {
    noted.inactive = Boolean(found && passwordMatches);
    throw unauthenticated(UnauthenticatedReason.INVALID_CREDENTIALS);
  }
  // EMAIL_VERIFICATION=required (issue 14): only the right password learns this.
  if (config.mail.emailVerification === 'required' && !found.emailVerified) {
    throw new AppError(ErrorCode.EMAIL_NOT_VERIFIED, messages.emailNotVerified);
  }
  const now = new Date();
  const session = await em.transactional(async (tx) => {
    // Expired rows of this user go now, so the table does not grow with abandoned sessions.
    await tx.nativeDelete(Session, { user: found.id, expiresAt: { $lte: now } });
    await tx.nativeUpdate(User, { id: found.id }, { lastLogin: now });
    return createSession(tx, found.id, { config, userAgent: options.userAgent });
  });
  found.lastLogin = now;
  return { ...session, user: found };
}

/**
 * Creates an active user and its first session (registering logs the user in) in one transaction.
 * `onCreated` runs in it too (the confirmation mail); `withSession: false` leaves the user to
 * log in after confirming the address (EMAIL_VERIFICATION=required).
 */
export function register(
  em: EntityManager,
  input: NewUser,
  options: {
    config: Config;
    hasher: PasswordHasher;
    userAgent: string | null;
    ip: string;
    onCreated?: (tx: EntityManager, user: User) => Promise<void>;
    withSession?: boolean;
  },
): Promise<(IssuedSession | { token: null; expiresAt: null; sessionId: null }) & { user: User }> {
  const { config } = options;
  const withSession = options.withSession ?? true;
  const lastLogin = withSession ? new Date() : undefined;
  return createUser(em, input, { hasher: options.hasher, client: options.ip, lastLogin }, async (tx, user) => {
    await options.onCreated?.(tx, user);
    if (!withSession) return { token: null, expiresAt: null, sessionId: null, user };
    const session = await createSession(tx, user.id, { config, userAgent: options.userAgent });
    return { ...session, user };
  });
}
