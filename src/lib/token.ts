import { createHmac, hash, randomBytes } from 'node:crypto';

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
  return hash('sha256', token, 'buffer');
}

/** A cheap shape check, so garbage never reaches the database. */
export function isWellFormedToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

/**
 * The token that replaces `token` when a session's token is rotated: an HMAC under the session's
 * own random secret. Deterministic, so two tabs refreshing the same token at once both get the
 * same successor; unpredictable without the secret, which never leaves the database, and the
 * database alone is not enough either, since it holds only digests of the tokens.
 */
export function rotatedSessionToken(sessionSecret: Buffer, token: string): string {
  return createHmac('sha256', sessionSecret).update(token, 'utf8').digest('base64url');
}

// A compact JWS: base64url header and payload (both JSON objects, so both start with "eyJ"), then
// a non-empty signature. Bounded, so a huge header costs nothing before it is refused.
const ACCESS_TOKEN_PATTERN = /^eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const ACCESS_TOKEN_MAX_LENGTH = 8192;

export function isWellFormedAccessToken(token: string): boolean {
  return token.length <= ACCESS_TOKEN_MAX_LENGTH && ACCESS_TOKEN_PATTERN.test(token);
}

export type Credentials = { token: string; kind: 'session' | 'access' } | { token: null };

/**
 * Reads `Authorization: Token <t>` or `Bearer <t>` (scheme case-insensitive). The token is told
 * by its shape: 43 base64url characters are a session token, three dot-separated base64url parts
 * an access token (JWT). Returns null when there is no header, and `{ token: null }` for a header
 * that is present but unusable, so callers can tell "no credentials" from "bad credentials".
 */
export function parseAuthorizationHeader(header: string | undefined | null): Credentials | null {
  if (header === undefined || header === null || header.trim() === '') return null;
  const match = /^(?:token|bearer)[ \t]+(\S+)[ \t]*$/i.exec(header.trim());
  if (match && isWellFormedToken(match[1])) return { token: match[1], kind: 'session' };
  if (match && isWellFormedAccessToken(match[1])) return { token: match[1], kind: 'access' };
  return { token: null };
}
