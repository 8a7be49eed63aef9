import { SessionCache, type ValidatedSession } from '../../src/modules/auth/session-cache';

// The cache's own rules, without a database: the size bound, forgetting by session and by user
// through the indexes, the race between a lookup and an invalidation, and the bypass.

const session = (sessionId: string, userId: string): ValidatedSession => ({
  sessionId,
  userId,
  userRow: { id: userId },
});
const farFuture = () => Date.now() + 60_000;

function filled(entries: [key: string, sessionId: string, userId: string][], maxEntries = 100) {
  const cache = new SessionCache({ ttlMs: 30_000, maxEntries, needsChangeFeed: false });
  for (const [key, sessionId, userId] of entries) cache.open(key)!.store(session(sessionId, userId), farFuture());
  return cache;
}
const held = (cache: SessionCache, key: string) => cache.open(key)?.hit?.sessionId ?? null;

test('bounded: the least recently used entry goes first, and is counted', () => {
  const cache = filled(
    [
      ['k1', 's1', 'u1'],
      ['k2', 's2', 'u1'],
    ],
    2,
  );
  expect(held(cache, 'k1')).toBe('s1');
  cache.open('k3')!.store(session('s3', 'u2'), farFuture());
  expect([held(cache, 'k1'), held(cache, 'k2'), held(cache, 'k3')]).toEqual(['s1', null, 's3']);
  expect(cache.stats()).toMatchObject({ size: 2, evictions: 1 });
});

test('forgetSession and forgetUser drop every key of that session or user, and nothing else', () => {
  const cache = filled([
    ['token-a', 's1', 'u1'],
    ['sid:s1', 's1', 'u1'],
    ['token-b', 's2', 'u1'],
    ['token-c', 's3', 'u2'],
  ]);
  cache.forgetSession('s1');
  expect([held(cache, 'token-a'), held(cache, 'sid:s1'), held(cache, 'token-b')]).toEqual([null, null, 's2']);
  cache.applyChange('u:u1');
  expect([held(cache, 'token-b'), held(cache, 'token-c')]).toEqual([null, 's3']);
  cache.applyChange('*');
  expect(cache.stats()).toMatchObject({ size: 0, invalidations: 4 });
});

test('an entry lives no longer than asked (the next touch due), nor than the TTL', async () => {
  const cache = filled([]);
  cache.open('soon')!.store(session('s1', 'u1'), Date.now() + 20);
  cache.open('past')!.store(session('s2', 'u1'), Date.now() - 1);
  expect(held(cache, 'soon')).toBe('s1');
  expect(held(cache, 'past')).toBeNull();
  await new Promise((resolve) => setTimeout(resolve, 40));
  expect(held(cache, 'soon')).toBeNull();
});

test('a lookup that read the database before an invalidation arrived stores nothing', () => {
  const cache = filled([]);
  const slot = cache.open('token')!;
  // The database said "valid"; meanwhile the revocation's message came in.
  cache.applyChange('s:s1');
  slot.store(session('s1', 'u1'), farFuture());
  expect(held(cache, 'token')).toBeNull();
});

test('bypassed until the change feed listens, and again from the moment it is lost', () => {
  const cache = new SessionCache({ ttlMs: 30_000, maxEntries: 10, needsChangeFeed: true });
  expect(cache.open('token')).toBeNull();
  cache.resume();
  const slot = cache.open('token')!;
  slot.store(session('s1', 'u1'), farFuture());
  expect(held(cache, 'token')).toBe('s1');
  const late = cache.open('other')!;
  cache.suspend();
  expect(cache.open('token')).toBeNull();
  late.store(session('s2', 'u2'), farFuture());
  expect(cache.stats()).toMatchObject({ size: 0, bypassing: true, bypasses: 2 });
});
