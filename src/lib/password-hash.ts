import { createHmac } from 'node:crypto';
import bcrypt from 'bcrypt';

// bcrypt reads only the first 72 bytes of its input, so a long password would be silently
// truncated. Like Django's BCryptSHA256PasswordHasher we feed bcrypt a fixed-length digest of the
// whole password instead: every byte counts. The digest is hex (64 ASCII bytes, no NUL bytes).
// An HMAC with a constant key rather than a bare SHA-256 keeps hashes from other breaches that
// store plain SHA-256 from being usable as a shortcut ("password shucking").
const PREHASH_KEY = 'authapi.bcrypt-sha256.v1';

function prehash(password: string): string {
  return createHmac('sha256', PREHASH_KEY).update(password, 'utf8').digest('hex');
}

export function hashPassword(password: string, cost: number): Promise<string> {
  return bcrypt.hash(prehash(password), cost);
}

/** Constant work whatever the outcome: one bcrypt comparison. */
export function verifyPassword(password: string, passwordHash: string): Promise<boolean> {
  return bcrypt.compare(prehash(password), passwordHash);
}
