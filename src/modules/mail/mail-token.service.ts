import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { generateSessionToken, hashSessionToken, isWellFormedToken } from '../../lib/token';
import { MailOutbox } from './mail-outbox.entity';
import { MailToken, type MailTokenKind } from './mail-token.entity';
import type { MailContent } from './mail.templates';

// Mail tokens are made like session tokens (lib/token.ts: 256 random bits, only the SHA-256
// digest stored) and are worth as much: each one sets a password or confirms an address.

/** Stores the digest of a new token and returns the token, to be put in the mail only. */
export async function issueMailToken(
  tx: EntityManager,
  userId: string,
  kind: MailTokenKind,
  email: string,
  ttlSeconds: number,
): Promise<string> {
  const token = generateSessionToken();
  const now = new Date();
  // The user's dead tokens of this kind go now, so the table does not grow with every mail.
  await tx.nativeDelete(MailToken, {
    user: userId,
    kind,
    $or: [{ usedAt: { $ne: null } }, { expiresAt: { $lte: now } }],
  });
  // insert() skips the entity's initialisers: the id is given here.
  await tx.insert(MailToken, {
    id: randomUUID(),
    tokenHash: hashSessionToken(token),
    kind,
    user: userId,
    email,
    expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
  });
  return token;
}

/** Queues a mail; call it in the transaction that made its token, so neither exists alone. */
export async function enqueueMail(tx: EntityManager, kind: string, to: string, content: MailContent): Promise<void> {
  await tx.insert(MailOutbox, {
    id: randomUUID(),
    kind,
    recipient: to,
    subject: content.subject,
    textBody: content.text,
    htmlBody: content.html,
  });
}

/** The unused, unexpired token of this kind, with its user; null for anything else. */
export async function findUsableToken(
  em: EntityManager,
  token: string,
  kind: MailTokenKind,
): Promise<MailToken | null> {
  if (!isWellFormedToken(token)) return null;
  return em.findOne(
    MailToken,
    { tokenHash: hashSessionToken(token), kind, usedAt: null, expiresAt: { $gt: new Date() } },
    { populate: ['user'] },
  );
}

/** Marks the token used if it still is usable: false when a concurrent use got there first. */
export async function consumeToken(tx: EntityManager, tokenId: string): Promise<boolean> {
  const now = new Date();
  return (
    (await tx.nativeUpdate(MailToken, { id: tokenId, usedAt: null, expiresAt: { $gt: now } }, { usedAt: now })) === 1
  );
}

/** Makes every outstanding token of this kind of the user unusable. */
export function retireTokens(tx: EntityManager, userId: string, kind: MailTokenKind): Promise<number> {
  return tx.nativeUpdate(MailToken, { user: userId, kind, usedAt: null }, { usedAt: new Date() });
}
