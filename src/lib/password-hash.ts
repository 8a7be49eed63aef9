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

/** The hashing queue is full: answer "try again" at once rather than queue for seconds. */
export class HashQueueFullError extends Error {
  constructor() {
    super('The password hashing queue is full.');
    this.name = 'HashQueueFullError';
  }
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, passwordHash: string): Promise<boolean>;
}

/**
 * bcrypt at the configured cost, with bounded concurrency. bcrypt shares libuv's small thread
 * pool with DNS and file I/O, so an unbounded login flood would stall those; and queued hashes
 * only add latency. At most `concurrency` run at once and `queueMax` wait; beyond that the
 * caller gets HashQueueFullError immediately.
 */
export function createPasswordHasher(options: { cost: number; concurrency: number; queueMax: number }): PasswordHasher {
  let running = 0;
  const waiting: (() => void)[] = [];
  async function limited<T>(task: () => Promise<T>): Promise<T> {
    if (running < options.concurrency) {
      running++;
    } else {
      if (waiting.length >= options.queueMax) throw new HashQueueFullError();
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next waiter, or free it.
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  }
  return {
    hash: (password) => limited(() => hashPassword(password, options.cost)),
    verify: (password, passwordHash) => limited(() => verifyPassword(password, passwordHash)),
  };
}
