import { createHash, randomBytes } from 'node:crypto';

// 32 random bytes = 256 bits: far beyond guessing, and base64url keeps it URL- and header-safe.
const TOKEN_BYTES = 32;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function generateSessionToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/**
 * Only this digest is stored. A leaked database then yields no usable tokens, and since the token
 * is high-entropy a fast unsalted hash is enough (unlike passwords).
 */
export function hashSessionToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** A cheap shape check, so garbage never reaches the database. */
export function isWellFormedToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

/**
 * Reads `Authorization: Token <t>` or `Bearer <t>` (scheme case-insensitive).
 * Returns null when there is no header, and `{ token: null }` for a header that is present but
 * unusable, so callers can tell "no credentials" from "bad credentials".
 */
export function parseAuthorizationHeader(header: string | undefined | null): { token: string | null } | null {
  if (header === undefined || header === null || header.trim() === '') return null;
  const match = /^(?:token|bearer)[ \t]+(\S+)[ \t]*$/i.exec(header.trim());
  if (!match || !isWellFormedToken(match[1])) return { token: null };
  return { token: match[1] };
}
