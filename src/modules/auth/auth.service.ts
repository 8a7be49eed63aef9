import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../config';
import { addFieldError, badUserInput, messages, unauthenticated } from '../../errors';
import { canonicalEmail, canonicalUsername, normalizeUsername } from '../../lib/identity';
import { hashPassword, verifyPassword } from '../../lib/password-hash';
import { execute, executeCount, toDate } from '../../lib/sql';
import { generateSessionToken, hashSessionToken } from '../../lib/token';
import { User, type UserRecord } from '../user/user.entity';
import { USER_COLUMNS, takenIdentityErrors, toUserRecord, type UserRow } from '../user/user.service';
import { newUserProblems } from '../user/user.validation';

export interface Viewer {
  user: UserRecord;
  sessionId: string;
}

export interface IssuedSession {
  token: string;
  expiresAt: Date;
  sessionId: string;
}

const USER_AGENT_MAX_LENGTH = 512;

/** Inserts one session row and returns the token: the only time it exists outside the client. */
export async function createSession(
  em: EntityManager,
  userId: string,
  options: { ttlSeconds: number; userAgent: string | null },
): Promise<IssuedSession> {
  const token = generateSessionToken();
  const now = new Date();
  const expiresAt = new Date(now.getTime() + options.ttlSeconds * 1000);
  const sessionId = randomUUID();
  await execute(
    em,
    `insert into sessions (id, user_id, token_hash, created_at, expires_at, last_used_at, user_agent)
     values (?, ?, ?, ?, ?, ?, ?)`,
    [
      sessionId,
      userId,
      hashSessionToken(token),
      now,
      expiresAt,
      now,
      options.userAgent?.slice(0, USER_AGENT_MAX_LENGTH) ?? null,
    ],
  );
  return { token, expiresAt, sessionId };
}

/**
 * Token -> live session and its active user, in one indexed query on the digest. Returns null
 * (never throws) for an unknown, expired or revoked token, or an inactive user.
 *
 * Sliding expiry without a write per request: a session used in the second half of its lifetime
 * is extended to a full lifetime, and lastUsedAt is refreshed at most every
 * sessionTouchIntervalSeconds. Both cases are one UPDATE; every other request only reads.
 */
export async function validateSessionToken(em: EntityManager, token: string, config: Config): Promise<Viewer | null> {
  const now = new Date();
  const rows = await execute<(UserRow & { sessionId: string; expiresAt: string; lastUsedAt: string | null })[]>(
    em,
    `select s.id as "sessionId", s.expires_at as "expiresAt", s.last_used_at as "lastUsedAt", ${USER_COLUMNS}
       from sessions s join users u on u.id = s.user_id
      where s.token_hash = ? and s.expires_at > ? and u.is_active`,
    [hashSessionToken(token), now],
  );
  const row = rows[0];
  if (!row) return null;
  const { sessionId } = row;
  const expiresAt = toDate(row.expiresAt);
  const lastUsedAt = toDate(row.lastUsedAt);
  const ttlMs = config.sessionTtlSeconds * 1000;
  const pastHalfLife = expiresAt.getTime() - now.getTime() < ttlMs / 2;
  const touchDue = !lastUsedAt || now.getTime() - lastUsedAt.getTime() >= config.sessionTouchIntervalSeconds * 1000;
  if (pastHalfLife || touchDue) {
    const newExpiresAt = pastHalfLife ? new Date(now.getTime() + ttlMs) : expiresAt;
    await execute(em, 'update sessions set last_used_at = ?, expires_at = greatest(expires_at, ?) where id = ?', [
      now,
      newExpiresAt,
      sessionId,
    ]);
  }
  return { user: toUserRecord(row), sessionId };
}

export async function invalidateSession(em: EntityManager, sessionId: string): Promise<boolean> {
  return (await executeCount(em, 'delete from sessions where id = ?', [sessionId])) > 0;
}

/** Deletes every session of a user; returns how many of them were still live. */
export async function invalidateUserSessions(em: EntityManager, userId: string): Promise<number> {
  const [row] = await execute<{ live: string }[]>(
    em,
    `with deleted as (delete from sessions where user_id = ? returning expires_at)
     select count(*) filter (where expires_at > ?) as live from deleted`,
    [userId, new Date()],
  );
  return Number(row.live);
}

export interface Credentials {
  username: string;
  password: string;
}

/**
 * One bcrypt comparison on every path: against the user's hash, or against a dummy hash of the
 * same cost when the name is unknown, so neither the answer nor its timing tells whether an
 * account exists or is inactive.
 */
export async function login(
  em: EntityManager,
  credentials: Credentials,
  options: { config: Config; dummyPasswordHash: string; userAgent: string | null },
): Promise<IssuedSession & { user: UserRecord }> {
  const { config } = options;
  // Longer than any password we accept: it cannot match, and it must not cost a hash.
  if ([...credentials.password].length > config.passwordMaxLength || credentials.username.length > 320) {
    throw unauthenticated(messages.invalidCredentials);
  }
  const rows = await execute<(UserRow & { passwordHash: string })[]>(
    em,
    `select ${USER_COLUMNS}, u.password_hash as "passwordHash" from users u
      where u.username_canonical = ? or u.email_canonical = ?
      order by (u.username_canonical = ?) desc limit 1`,
    [
      canonicalUsername(credentials.username),
      canonicalEmail(credentials.username),
      canonicalUsername(credentials.username),
    ],
  );
  const found = rows[0];
  const passwordMatches = await verifyPassword(credentials.password, found?.passwordHash ?? options.dummyPasswordHash);
  if (!found || !passwordMatches || !found.isActive) throw unauthenticated(messages.invalidCredentials);
  const user = toUserRecord(found);
  const session = await em.transactional(async (tx) => {
    const now = new Date();
    // Expired rows of this user go now, so the table does not grow with abandoned sessions.
    await execute(tx, 'delete from sessions where user_id = ? and expires_at <= ?', [user.id, now]);
    await execute(tx, 'update users set last_login = ? where id = ?', [now, user.id]);
    user.lastLogin = now;
    return createSession(tx, user.id, { ttlSeconds: config.sessionTtlSeconds, userAgent: options.userAgent });
  });
  return { ...session, user };
}

export interface Registration extends Credentials {
  email: string;
  passwordConfirm?: string | null;
  firstName?: string | null;
  lastName?: string | null;
}

/**
 * Validates everything, reporting all problems at once; then hashes (holding no connection)
 * and inserts. Uniqueness is the unique indexes' job: a concurrent duplicate fails the INSERT
 * and is reported as the same field error, never as a 500.
 */
export async function register(
  em: EntityManager,
  input: Registration,
  options: { config: Config; userAgent: string | null },
): Promise<IssuedSession & { user: UserRecord }> {
  const { config } = options;
  const identity = { username: input.username, email: input.email };
  const fields = newUserProblems(input, {
    minLength: config.passwordMinLength,
    maxLength: config.passwordMaxLength,
  });
  if (Object.keys(fields).length > 0) {
    const taken = await takenIdentityErrors(em, identity);
    for (const [field, problems] of Object.entries(taken))
      if (!fields[field]) addFieldError(fields, field, ...problems);
    throw badUserInput(fields);
  }
  const passwordHash = await hashPassword(input.password, config.bcryptCost);
  const user: UserRecord = {
    id: randomUUID(),
    username: normalizeUsername(input.username),
    email: input.email.trim(),
    firstName: input.firstName ?? '',
    lastName: input.lastName ?? '',
    isActive: true,
    isStaff: false,
    isSuperuser: false,
    dateJoined: new Date(),
    lastLogin: null,
  };
  try {
    return await em.transactional(async (tx) => {
      await tx.insert(User, {
        ...user,
        usernameCanonical: canonicalUsername(input.username),
        emailCanonical: canonicalEmail(input.email),
        passwordHash,
      });
      const session = await createSession(tx, user.id, {
        ttlSeconds: config.sessionTtlSeconds,
        userAgent: options.userAgent,
      });
      return { ...session, user };
    });
  } catch (error) {
    if (!(error instanceof UniqueConstraintViolationException)) throw error;
    const taken = await takenIdentityErrors(em, identity);
    throw badUserInput(Object.keys(taken).length > 0 ? taken : { nonFieldErrors: [messages.usernameTaken] });
  }
}
