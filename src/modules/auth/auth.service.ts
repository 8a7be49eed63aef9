import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../config';
import { messages, unauthenticated } from '../../errors';
import { canonicalEmail, canonicalUsername } from '../../lib/identity';
import type { PasswordHasher } from '../../lib/password-hash';
import { isUuid } from '../../lib/ids';
import { execute, executeCount, executePrepared, toDate } from '../../lib/sql';
import { generateSessionToken, hashSessionToken } from '../../lib/token';
import type { Throttle } from './auth.throttle';
import type { SessionCache } from './session-cache';
import type { UserRecord } from '../user/user.entity';
import { createUser, USER_COLUMNS, toUserRecord, type UserRow } from '../user/user.service';
import type { NewUserFields } from '../user/user.validation';

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

/**
 * Inserts one session row and returns the token: the only time it exists outside the client.
 * With SESSION_LIMIT_PER_USER set, the user's oldest sessions beyond the cap are removed.
 */
export async function createSession(
  em: EntityManager,
  userId: string,
  options: { config: Config; userAgent: string | null },
): Promise<IssuedSession> {
  const { config } = options;
  const token = generateSessionToken();
  const now = new Date();
  const expiresAt = new Date(now.getTime() + config.sessionTtlSeconds * 1000);
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
  if (config.sessionLimitPerUser !== null) {
    await execute(
      em,
      `delete from sessions where id in (
         select id from sessions where user_id = ? order by created_at desc, id desc offset ?)`,
      [userId, config.sessionLimitPerUser],
    );
  }
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
export async function validateSessionToken(
  em: EntityManager,
  token: string,
  config: Config,
  cache?: SessionCache,
): Promise<Viewer | null> {
  const digest = hashSessionToken(token);
  const cacheKey = cache?.enabled ? digest.toString('base64') : null;
  const cached = cacheKey ? cache!.get(cacheKey) : null;
  if (cached) return cached;
  const now = new Date();
  // Every authenticated request runs this: a prepared statement, planned once per connection.
  const rows = await executePrepared<UserRow & { sessionId: string; expiresAt: string; lastUsedAt: string | null }>(
    em,
    'authapi_validate_session',
    `select s.id as "sessionId", s.expires_at as "expiresAt", s.last_used_at as "lastUsedAt", ${USER_COLUMNS}
       from sessions s join users u on u.id = s.user_id
      where s.token_hash = $1 and s.expires_at > $2 and u.is_active`,
    [digest, now],
  );
  const row = rows[0];
  if (!row) return null;
  const { sessionId } = row;
  const expiresAt = toDate(row.expiresAt);
  const lastUsedAt = toDate(row.lastUsedAt);
  const ttlMs = config.sessionTtlSeconds * 1000;
  const pastHalfLife = expiresAt.getTime() - now.getTime() < ttlMs / 2;
  const touchDue = !lastUsedAt || now.getTime() - lastUsedAt.getTime() >= config.sessionTouchIntervalSeconds * 1000;
  const sessionExpiresAt = pastHalfLife ? new Date(now.getTime() + ttlMs) : expiresAt;
  if (pastHalfLife || touchDue) {
    await execute(em, 'update sessions set last_used_at = ?, expires_at = greatest(expires_at, ?) where id = ?', [
      now,
      sessionExpiresAt,
      sessionId,
    ]);
  }
  const viewer = { user: toUserRecord(row), sessionId };
  if (cacheKey) cache!.set(cacheKey, viewer, sessionExpiresAt);
  return viewer;
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
  options: {
    config: Config;
    hasher: PasswordHasher;
    throttle: Throttle;
    dummyPasswordHash: string;
    userAgent: string | null;
    ip: string;
  },
): Promise<IssuedSession & { user: UserRecord }> {
  const { config } = options;
  // Longer than any password we accept: it cannot match, and it must not cost a hash.
  if ([...credentials.password].length > config.passwordMaxLength || credentials.username.length > 320) {
    throw unauthenticated(messages.invalidCredentials);
  }
  const loginName = canonicalUsername(credentials.username);
  const rows = await execute<(UserRow & { passwordHash: string })[]>(
    em,
    `select ${USER_COLUMNS}, u.password_hash as "passwordHash" from users u
      where u.username_canonical = ? or u.email_canonical = ?
      order by (u.username_canonical = ?) desc limit 1`,
    [loginName, canonicalEmail(credentials.username), loginName],
  );
  const found = rows[0];
  // Before any hashing. An existing account is counted by id, so its username and its email
  // share one counter; an unknown name is counted by its canonical form.
  const attempt = await options.throttle.beginLogin(found ? `user:${found.id}` : `name:${loginName}`, options.ip);
  const passwordMatches = await options.hasher.verify(
    credentials.password,
    found?.passwordHash ?? options.dummyPasswordHash,
  );
  if (!found || !passwordMatches || !found.isActive) throw unauthenticated(messages.invalidCredentials);
  await attempt.succeeded();
  const user = toUserRecord(found);
  const session = await em.transactional(async (tx) => {
    const now = new Date();
    // Expired rows of this user go now, so the table does not grow with abandoned sessions.
    await execute(tx, 'delete from sessions where user_id = ? and expires_at <= ?', [user.id, now]);
    await execute(tx, 'update users set last_login = ? where id = ?', [now, user.id]);
    user.lastLogin = now;
    return createSession(tx, user.id, { config, userAgent: options.userAgent });
  });
  return { ...session, user };
}

/** Creates an active user and its first session in one transaction. */
export async function register(
  em: EntityManager,
  input: NewUserFields,
  options: { config: Config; hasher: PasswordHasher; throttle: Throttle; userAgent: string | null; ip: string },
): Promise<IssuedSession & { user: UserRecord }> {
  const { config } = options;
  await options.throttle.beginRegistration(options.ip);
  return createUser(em, input, { config, hasher: options.hasher }, async (tx, user) => {
    const session = await createSession(tx, user.id, { config, userAgent: options.userAgent });
    return { ...session, user };
  });
}

export interface SessionRecord {
  id: string;
  createdAt: Date;
  expiresAt: Date;
  lastUsedAt: Date | null;
  userAgent: string | null;
}

/** The user's live sessions, newest first. */
export async function listUserSessions(em: EntityManager, userId: string): Promise<SessionRecord[]> {
  const rows = await execute<
    { id: string; createdAt: string; expiresAt: string; lastUsedAt: string | null; userAgent: string | null }[]
  >(
    em,
    `select id, created_at as "createdAt", expires_at as "expiresAt", last_used_at as "lastUsedAt", user_agent as "userAgent"
       from sessions where user_id = ? and expires_at > ? order by created_at desc, id desc`,
    [userId, new Date()],
  );
  return rows.map((row) => ({
    ...row,
    createdAt: toDate(row.createdAt),
    expiresAt: toDate(row.expiresAt),
    lastUsedAt: toDate(row.lastUsedAt),
  }));
}

/**
 * Revokes one session only if it belongs to the user. Someone else's id, an unknown id and a
 * malformed one all answer false and change nothing, so ids cannot be probed.
 */
export async function invalidateOwnSession(em: EntityManager, userId: string, sessionId: string): Promise<boolean> {
  if (!isUuid(sessionId)) return false;
  return (await executeCount(em, 'delete from sessions where id = ? and user_id = ?', [sessionId, userId])) > 0;
}

/** Revokes every session of the user but one (the caller's, after a password change). */
export async function invalidateOtherSessions(
  em: EntityManager,
  userId: string,
  keepSessionId: string,
): Promise<number> {
  return executeCount(em, 'delete from sessions where user_id = ? and id <> ?', [userId, keepSessionId]);
}
