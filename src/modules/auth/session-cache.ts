import { LRUCache } from 'lru-cache';

/**
 * A validated session as the token lookup found it: the session's id, and the user's row as the
 * database returned it (mapped into each request's own EntityManager on use).
 */
export interface ValidatedSession {
  sessionId: string;
  userId: string;
  userRow: Record<string, unknown>;
}

/** One lookup's view of the cache: what it holds for the key, and where to put what the database says. */
export interface CacheSlot {
  hit: ValidatedSession | null;
  /** Keeps `session` until `untilMs` (epoch ms), unless something was invalidated since the slot was opened. */
  store(session: ValidatedSession, untilMs: number): void;
}

/** Counters for metrics; they only grow, except `size`. */
export interface SessionCacheStats {
  hits: number;
  misses: number;
  /** Entries dropped to stay within the size bound (least recently used first). */
  evictions: number;
  /** Entries dropped because their session or user changed (a revocation here or on another instance). */
  invalidations: number;
  /** Lookups that went to the database because the cache was being bypassed. */
  bypasses: number;
  size: number;
  /** True while no change feed is confirmed: every lookup goes to the database. */
  bypassing: boolean;
}

/** Where the triggers of Migration20261202172940_session_cache_notify announce changes. */
export const SESSION_CHANGE_CHANNEL = 'authapi_session_cache';

/**
 * Token digest (or access-token session id) -> validated session, in a bounded LRU.
 *
 * Safe across instances: every change that could make an entry wrong (a session deleted, rotated or
 * shortened; a user changed or deleted; memberships and permissions) is announced by database
 * triggers on SESSION_CHANGE_CHANNEL, and each instance's listener forwards the messages to
 * `applyChange`. While that feed is not confirmed (at start, after the listening connection broke,
 * until it listens again) the cache is empty and bypassed: a few slower requests, never a stale
 * answer. Revoking operations also call forgetSession/forgetUser themselves, so this instance is
 * right even before its own notification comes back.
 *
 * The race that remains is closed by a generation count: a lookup that read the database before an
 * invalidation arrived must not store what it read after it. Any invalidation bumps the
 * generation, and a slot opened under an older generation stores nothing.
 */
export class SessionCache {
  private readonly entries: LRUCache<string, ValidatedSession> | null;
  private readonly ttlMs: number;
  private readonly keysBySession = new Map<string, Set<string>>();
  private readonly keysByUser = new Map<string, Set<string>>();
  private generation = 0;
  private feedConfirmed: boolean;
  private readonly counters = { hits: 0, misses: 0, evictions: 0, invalidations: 0, bypasses: 0 };

  constructor(options: { ttlMs: number; maxEntries: number; needsChangeFeed: boolean }) {
    this.feedConfirmed = !options.needsChangeFeed;
    this.entries =
      options.ttlMs > 0
        ? new LRUCache<string, ValidatedSession>({
            max: options.maxEntries,
            ttl: options.ttlMs,
            dispose: (session, key, reason) => this.unindex(session, key, reason),
          })
        : null;
    this.ttlMs = options.ttlMs;
  }

  /** Configured on (SESSION_CACHE_SECONDS > 0), whether or not it is being bypassed right now. */
  get enabled(): boolean {
    return this.entries !== null;
  }

  /** Null when off or bypassed: the caller asks the database and stores nothing. */
  open(key: string): CacheSlot | null {
    if (!this.entries) return null;
    if (!this.feedConfirmed) {
      this.counters.bypasses++;
      return null;
    }
    const hit = this.entries.get(key) ?? null;
    if (hit) this.counters.hits++;
    else this.counters.misses++;
    const generation = this.generation;
    return { hit, store: (session, untilMs) => this.store(key, session, untilMs, generation) };
  }

  private store(key: string, session: ValidatedSession, untilMs: number, generation: number): void {
    if (!this.entries || !this.feedConfirmed || generation !== this.generation) return;
    const ttl = Math.min(this.ttlMs, Math.floor(untilMs - Date.now()));
    // lru-cache reads a ttl of 0 as "forever".
    if (ttl < 1) return;
    this.entries.set(key, session, { ttl });
    this.index(this.keysBySession, session.sessionId, key);
    this.index(this.keysByUser, session.userId, key);
  }

  forgetSession(sessionId: string): void {
    this.generation++;
    this.drop(this.keysBySession.get(sessionId));
  }

  forgetUser(userId: string): void {
    this.generation++;
    this.drop(this.keysByUser.get(userId));
  }

  /** Empties the cache (a set-wide change, or the change feed lost). */
  forgetAll(): void {
    this.generation++;
    if (!this.entries) return;
    this.counters.invalidations += this.entries.size;
    this.entries.clear();
    this.keysBySession.clear();
    this.keysByUser.clear();
  }

  /** A message of the change feed: `s:<session id>`, `u:<user id>` or `*` (anything else is ignored). */
  applyChange(payload: string): void {
    if (payload === '*') this.forgetAll();
    else if (payload.startsWith('s:')) this.forgetSession(payload.slice(2));
    else if (payload.startsWith('u:')) this.forgetUser(payload.slice(2));
  }

  /** The change feed is gone: changes may go unheard, so nothing is kept or served until it is back. */
  suspend(): void {
    this.feedConfirmed = false;
    this.forgetAll();
  }

  /** The change feed listens again: from now on every committed change reaches applyChange. */
  resume(): void {
    this.forgetAll();
    this.feedConfirmed = true;
  }

  stats(): SessionCacheStats {
    return {
      ...this.counters,
      size: this.entries?.size ?? 0,
      bypassing: this.enabled && !this.feedConfirmed,
    };
  }

  private drop(keys: Set<string> | undefined): void {
    if (!keys || !this.entries) return;
    // Copied: each delete calls unindex, which edits the set.
    for (const key of [...keys]) if (this.entries.delete(key)) this.counters.invalidations++;
  }

  private index(index: Map<string, Set<string>>, id: string, key: string): void {
    const keys = index.get(id);
    if (keys) keys.add(key);
    else index.set(id, new Set([key]));
  }

  private unindex(session: ValidatedSession, key: string, reason: LRUCache.DisposeReason): void {
    if (reason === 'evict') this.counters.evictions++;
    for (const [index, id] of [
      [this.keysBySession, session.sessionId],
      [this.keysByUser, session.userId],
    ] as const) {
      const keys = index.get(id);
      keys?.delete(key);
      if (keys?.size === 0) index.delete(id);
    }
  }
}
