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
  /** `client` (the caller's address) gets at most its fair share of the hashing capacity. */
  hash(password: string, client?: string): Promise<string>;
  verify(password: string, passwordHash: string, client?: string): Promise<boolean>;
  /** Hashes running now, waiting for a slot, and refused since start (read by /metrics on scrape). */
  readonly running: number;
  readonly queueDepth: number;
  readonly rejected: number;
}

/**
 * bcrypt at the configured cost, with bounded concurrency. bcrypt shares libuv's small thread
 * pool with DNS and file I/O, so an unbounded flood would stall those; and queued hashes only add
 * latency. At most `concurrency` run at once and `queueMax` wait; beyond that the caller gets
 * HashQueueFullError immediately.
 *
 * Fairness: one client runs at most half the slots (at least one) and holds at most half the
 * queue, and a freed slot goes to the waiting clients in turn. A flood from one address then
 * delays other clients' hashes by about one hash, instead of filling the queue and refusing them.
 */
export function createPasswordHasher(options: { cost: number; concurrency: number; queueMax: number }): PasswordHasher {
  const runningShare = Math.max(1, Math.floor(options.concurrency / 2));
  const waitingShare = Math.max(1, Math.floor(options.queueMax / 2));
  let running = 0;
  let waiting = 0;
  let rejected = 0;
  const runningBy = new Map<string, number>();
  // Insertion order is the rotation: a client served goes to the back.
  const queues = new Map<string, (() => void)[]>();

  const start = (client: string) => {
    running++;
    runningBy.set(client, (runningBy.get(client) ?? 0) + 1);
  };

  function startWaiting(): void {
    while (running < options.concurrency) {
      let next: string | undefined;
      for (const client of queues.keys()) {
        if ((runningBy.get(client) ?? 0) < runningShare) {
          next = client;
          break;
        }
      }
      if (next === undefined) return;
      const queue = queues.get(next)!;
      const resume = queue.shift()!;
      queues.delete(next);
      if (queue.length > 0) queues.set(next, queue);
      waiting--;
      start(next);
      resume();
    }
  }

  async function limited<T>(client: string, task: () => Promise<T>): Promise<T> {
    if (running < options.concurrency && (runningBy.get(client) ?? 0) < runningShare) {
      start(client);
    } else {
      const queue = queues.get(client) ?? [];
      if (waiting >= options.queueMax || queue.length >= waitingShare) {
        rejected++;
        throw new HashQueueFullError();
      }
      waiting++;
      await new Promise<void>((resume) => {
        queue.push(resume);
        queues.set(client, queue);
      });
    }
    try {
      return await task();
    } finally {
      running--;
      const left = (runningBy.get(client) ?? 1) - 1;
      if (left === 0) runningBy.delete(client);
      else runningBy.set(client, left);
      startWaiting();
    }
  }
  return {
    hash: (password, client = '') => limited(client, () => hashPassword(password, options.cost)),
    verify: (password, passwordHash, client = '') => limited(client, () => verifyPassword(password, passwordHash)),
    get running() {
      return running;
    },
    get queueDepth() {
      return waiting;
    },
    get rejected() {
      return rejected;
    },
  };
}
