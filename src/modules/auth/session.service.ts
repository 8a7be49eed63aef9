import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../config';
import { executePrepared } from '../../db/prepared-statement';
import { isUuid } from '../../lib/ids';
import { generateSessionToken, hashSessionToken } from '../../lib/token';
import { User } from '../user/user.entity';
import type { CacheSlot, SessionCache } from './session-cache';
import { managedUser, sessionStatements } from './session-lookup';
import { Session } from './session.entity';

/** Who made a request: the session's user, a managed entity of the request's EntityManager. */
export interface Viewer {
  user: User;
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
 * The user's oldest sessions beyond the cap (SESSION_LIMIT_PER_USER, default 100) are removed.
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
  await em.insert(Session, {
    id: sessionId,
    user: userId,
    tokenHash: hashSessionToken(token),
    createdAt: now,
    expiresAt,
    lastUsedAt: now,
    userAgent: options.userAgent?.slice(0, USER_AGENT_MAX_LENGTH) ?? null,
  });
  // One index range read; usually empty. (A login flood must not leave unbounded live sessions.)
  const beyondCap = await em.find(
    Session,
    { user: userId },
    { fields: ['id'], orderBy: { createdAt: 'desc', id: 'desc' }, offset: config.sessionLimitPerUser },
  );
  if (beyondCap.length > 0) await em.nativeDelete(Session, { id: beyondCap.map((session) => session.id) });
  return { token, expiresAt, sessionId };
}

type ValidatedRow = Record<string, unknown> & {
  session_id: string;
  session_expires_at: string | Date;
  session_last_used_at: string | Date | null;
  session_token_retired: boolean;
  session_token_retired_at: string | Date | null;
  id: string;
};

/**
 * Token -> live session and its active user, in one indexed query on the digest. Returns null
 * (never throws) for an unknown, expired or revoked token, or an inactive user.
 *
 * A token retired by refreshToken still works for TOKEN_ROTATION_GRACE_SECONDS (requests already
 * in flight, a second tab). Presented after that, it is a copy someone kept: the whole session is
 * revoked, for its rightful holder too (reuse detection, OAuth 2.0 Security BCP §4.14).
 */
export async function validateSessionToken(
  em: EntityManager,
  token: string,
  config: Config,
  cache?: SessionCache,
): Promise<Viewer | null> {
  const digest = hashSessionToken(token);
  const slot = cache?.enabled ? cache.open(digest.toString('base64')) : null;
  if (slot?.hit) return { user: managedUser(em, slot.hit.userRow), sessionId: slot.hit.sessionId };
  const now = new Date();
  const current = await executePrepared<ValidatedRow>(em, 'authapi_validate_session', sessionStatements(em).byToken, [
    digest,
    now,
  ]);
  const [row] =
    current.length > 0
      ? current
      : await executePrepared<ValidatedRow>(em, 'authapi_validate_retired', sessionStatements(em).byRetiredToken, [
          digest,
          now,
        ]);
  if (!row) return null;
  if (row.session_token_retired) {
    const graceEnds = new Date(row.session_token_retired_at!).getTime() + config.jwt.rotationGraceSeconds * 1000;
    if (now.getTime() >= graceEnds) {
      await invalidateSession(em, row.session_id);
      cache?.forgetSession(row.session_id);
      return null;
    }
    // Within the grace period: valid, but never cached (it stops working soon).
    return viewerOf(em, row, now, config);
  }
  return viewerOf(em, row, now, config, slot);
}

/** The session an access token names: live, of that user, and the user active. */
export async function validateSessionById(
  em: EntityManager,
  sessionId: string,
  userId: string,
  config: Config,
  cache?: SessionCache,
): Promise<Viewer | null> {
  const slot = cache?.enabled ? cache.open(`sid:${sessionId}`) : null;
  if (slot?.hit && slot.hit.userId === userId) return { user: managedUser(em, slot.hit.userRow), sessionId };
  const now = new Date();
  const [row] = await executePrepared<ValidatedRow>(em, 'authapi_validate_session_id', sessionStatements(em).byId, [
    sessionId,
    now,
    userId,
  ]);
  if (!row) return null;
  return viewerOf(em, row, now, config, slot);
}

/**
 * Sliding expiry without a write per request: a session used in the second half of its lifetime
 * is extended to a full lifetime, and lastUsedAt is refreshed at most every
 * sessionTouchIntervalSeconds. Both cases are one UPDATE; every other request only reads.
 * A cached entry lives at most until the next of these writes is due, so serving from memory
 * never skips one: the first request after that reads the database and writes.
 */
async function viewerOf(
  em: EntityManager,
  row: ValidatedRow,
  now: Date,
  config: Config,
  slot?: CacheSlot | null,
): Promise<Viewer> {
  const {
    session_id: sessionId,
    session_expires_at,
    session_last_used_at,
    session_token_retired: _retired,
    session_token_retired_at: _retiredAt,
    ...userRow
  } = row;
  const expiresAt = new Date(session_expires_at);
  const lastUsedAt = session_last_used_at === null ? null : new Date(session_last_used_at);
  const ttlMs = config.sessionTtlSeconds * 1000;
  const pastHalfLife = expiresAt.getTime() - now.getTime() < ttlMs / 2;
  const touchDue = !lastUsedAt || now.getTime() - lastUsedAt.getTime() >= config.sessionTouchIntervalSeconds * 1000;
  const sessionExpiresAt = pastHalfLife ? new Date(now.getTime() + ttlMs) : expiresAt;
  if (pastHalfLife || touchDue) {
    await em.nativeUpdate(
      Session,
      { id: sessionId },
      pastHalfLife ? { lastUsedAt: now, expiresAt: sessionExpiresAt } : { lastUsedAt: now },
    );
  }
  if (slot) {
    const touchedAt = pastHalfLife || touchDue ? now.getTime() : lastUsedAt!.getTime();
    const nextTouchDue = touchedAt + config.sessionTouchIntervalSeconds * 1000;
    const halfLife = sessionExpiresAt.getTime() - ttlMs / 2;
    slot.store({ sessionId, userId: row.id, userRow }, Math.min(nextTouchDue, halfLife, sessionExpiresAt.getTime()));
  }
  return { user: managedUser(em, userRow), sessionId };
}

export async function invalidateSession(em: EntityManager, sessionId: string): Promise<boolean> {
  return (await em.nativeDelete(Session, { id: sessionId })) > 0;
}

/** Deletes every session of a user; returns how many of them were still live. */
export async function invalidateUserSessions(em: EntityManager, userId: string): Promise<number> {
  return em.transactional(async (tx) => {
    await tx.nativeDelete(Session, { user: userId, expiresAt: { $lte: new Date() } });
    return tx.nativeDelete(Session, { user: userId });
  });
}

/** The user's live sessions, newest first. */
export function listUserSessions(em: EntityManager, userId: string): Promise<Session[]> {
  return em.find(
    Session,
    { user: userId, expiresAt: { $gt: new Date() } },
    { orderBy: { createdAt: 'desc', id: 'desc' } },
  );
}

/**
 * Revokes one session only if it belongs to the user. Someone else's id, an unknown id and a
 * malformed one all answer false and change nothing, so ids cannot be probed.
 */
export async function invalidateOwnSession(em: EntityManager, userId: string, sessionId: string): Promise<boolean> {
  if (!isUuid(sessionId)) return false;
  return (await em.nativeDelete(Session, { id: sessionId.toLowerCase(), user: userId })) > 0;
}

/** Revokes every session of the user but one (the caller's, after a password change). */
export function invalidateOtherSessions(em: EntityManager, userId: string, keepSessionId: string): Promise<number> {
  return em.nativeDelete(Session, { user: userId, id: { $ne: keepSessionId } });
}
