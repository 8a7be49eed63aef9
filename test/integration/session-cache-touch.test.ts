import { createHash } from 'node:crypto';
import { ME } from '../support/documents';
import { registerUser } from '../support/factories';
import { graphql } from '../support/graphql';
import { withTestApp, type TestApp } from '../support/test-app';

// The sliding expiry with the session cache on (the default): serving a token from memory never
// skips a write that is due. Each test has its own app (PGlite serves one app at a time).

const digest = (token: string) => createHash('sha256').update(token).digest();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sessionRow = async (t: TestApp, token: string) =>
  (await t.sql('select last_used_at, expires_at from sessions where token_hash = ?', [digest(token)]))[0];

test('lastUsedAt is still written once per touch interval, the requests between served from memory', async () => {
  await withTestApp({ SESSION_TOUCH_INTERVAL_SECONDS: '1' }, async (t) => {
    const user = await registerUser(t.url);
    const { hits } = t.app.sessionCache.stats();
    const created = (await sessionRow(t, user.token)).last_used_at;
    for (let request = 0; request < 3; request++) await graphql(t.url, ME, {}, { token: user.token });
    expect(t.app.sessionCache.stats().hits).toBeGreaterThanOrEqual(hits + 2);
    expect((await sessionRow(t, user.token)).last_used_at).toEqual(created);
    await sleep(1100);
    const before = Date.now();
    expect((await graphql(t.url, ME, {}, { token: user.token })).errors).toBeUndefined();
    expect(new Date((await sessionRow(t, user.token)).last_used_at).getTime()).toBeGreaterThanOrEqual(before - 50);
  });
});

test('a session past half its lifetime is extended though its token was cached', async () => {
  await withTestApp({ SESSION_TTL_SECONDS: '3600' }, async (t) => {
    const user = await registerUser(t.url);
    await graphql(t.url, ME, {}, { token: user.token });
    await graphql(t.url, ME, {}, { token: user.token });
    expect(t.app.sessionCache.stats().hits).toBe(1);
    await t.sql("update sessions set expires_at = now() + interval '10 minutes' where token_hash = ?", [
      digest(user.token),
    ]);
    await graphql(t.url, ME, {}, { token: user.token });
    const { expires_at } = await sessionRow(t, user.token);
    expect(new Date(expires_at).getTime()).toBeGreaterThan(Date.now() + 3500 * 1000);
  });
});

test('SESSION_CACHE_SECONDS=0: nothing is kept, every lookup reads the database', async () => {
  await withTestApp({ SESSION_CACHE_SECONDS: '0' }, async (t) => {
    const user = await registerUser(t.url);
    for (let request = 0; request < 2; request++) await graphql(t.url, ME, {}, { token: user.token });
    expect(t.app.sessionCache.stats()).toMatchObject({ hits: 0, misses: 0, size: 0, bypassing: false });
  });
});
