/**
 * A validated session as the token lookup found it: the session's id and expiry, and the user's
 * row as the database returned it (mapped into each request's own EntityManager on use).
 */
export interface ValidatedSession {
  sessionId: string;
  userId: string;
  userRow: Record<string, unknown>;
}

/**
 * Optional (SESSION_CACHE_SECONDS > 0): token digest -> validated session, for a few seconds, so
 * a burst of authenticated reads skips the database. The trade: a revocation made by *another*
 * instance is seen here only when the entry expires (at most the TTL); one made by this instance
 * is applied at once, since every revoking operation calls forgetSession/forgetUser. Staff
 * operations re-read the actor's rights from the database and never trust an entry.
 */
export class SessionCache {
  private readonly entries = new Map<string, { session: ValidatedSession; until: number }>();
  /** Since start, read by /metrics on scrape: lookups answered, not answered, entries pushed out by the cap. */
  hits = 0;
  misses = 0;
  evictions = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): ValidatedSession | null {
    const entry = this.entries.get(key);
    if (entry && entry.until > Date.now()) {
      this.hits++;
      return entry.session;
    }
    this.misses++;
    if (entry) this.entries.delete(key);
    return null;
  }

  set(key: string, session: ValidatedSession, sessionExpiresAt: Date): void {
    if (!this.enabled) return;
    // Oldest first out: a Map iterates in insertion order.
    if (this.entries.size >= this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value as string);
      this.evictions++;
    }
    this.entries.set(key, { session, until: Math.min(Date.now() + this.ttlMs, sessionExpiresAt.getTime()) });
  }

  forgetSession(sessionId: string): void {
    for (const [key, entry] of this.entries) if (entry.session.sessionId === sessionId) this.entries.delete(key);
  }

  forgetUser(userId: string): void {
    for (const [key, entry] of this.entries) if (entry.session.userId === userId) this.entries.delete(key);
  }
}
