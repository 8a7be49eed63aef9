import { randomBytes } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../config';
import { hashSessionToken, isWellFormedToken, rotatedSessionToken } from '../../lib/token';
import { User } from '../user/user.entity';
import { Session } from './session.entity';
import type { IssuedSession } from './session.service';

export type RefreshOutcome =
  | ({ kind: 'refreshed'; user: User } & IssuedSession)
  /** A retired token presented after its grace period: the session is gone. */
  | { kind: 'reused'; sessionId: string }
  | { kind: 'invalid' };

/**
 * refreshToken: the session's token is replaced by its successor and kept, as a digest, as the
 * retired token. The successor is derived from the token (lib/token.ts), so a second refresh of
 * the same token within the grace period (another tab, a retried request) gets the same answer
 * instead of forking the session. After the grace period, the retired token revokes the session.
 * Only the most recently retired token is known: an older one is simply unknown.
 */
export function refreshSession(em: EntityManager, token: string, config: Config): Promise<RefreshOutcome> {
  if (!isWellFormedToken(token)) return Promise.resolve({ kind: 'invalid' });
  const digest = hashSessionToken(token);
  return em.transactional(async (tx): Promise<RefreshOutcome> => {
    const now = new Date();
    // Locked: two refreshes of one session run one after the other, the second seeing the first's rotation.
    const session = await tx.findOne(
      Session,
      { $or: [{ tokenHash: digest }, { previousTokenHash: digest }] },
      { populate: ['rotationSecret'], lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    if (!session || session.expiresAt <= now) return { kind: 'invalid' };
    const user = await tx.findOne(User, { id: session.user.id });
    if (!user?.isActive) return { kind: 'invalid' };
    if (!session.tokenHash.equals(digest)) {
      const retiredAt = session.previousTokenRetiredAt?.getTime() ?? 0;
      if (now.getTime() >= retiredAt + config.jwt.rotationGraceSeconds * 1000) {
        await tx.nativeDelete(Session, { id: session.id });
        return { kind: 'reused', sessionId: session.id };
      }
      const successor = session.rotationSecret ? rotatedSessionToken(session.rotationSecret, token) : null;
      if (!successor || !hashSessionToken(successor).equals(session.tokenHash)) return { kind: 'invalid' };
      return { kind: 'refreshed', user, token: successor, expiresAt: session.expiresAt, sessionId: session.id };
    }
    const rotationSecret = session.rotationSecret ?? randomBytes(32);
    const successor = rotatedSessionToken(rotationSecret, token);
    // A refresh is a use of the session: the same sliding expiry as any authenticated request.
    const ttlMs = config.sessionTtlSeconds * 1000;
    const expiresAt =
      session.expiresAt.getTime() - now.getTime() < ttlMs / 2 ? new Date(now.getTime() + ttlMs) : session.expiresAt;
    await tx.nativeUpdate(
      Session,
      { id: session.id },
      {
        tokenHash: hashSessionToken(successor),
        previousTokenHash: digest,
        previousTokenRetiredAt: now,
        rotationSecret,
        lastUsedAt: now,
        expiresAt,
      },
    );
    return { kind: 'refreshed', user, token: successor, expiresAt, sessionId: session.id };
  });
}
