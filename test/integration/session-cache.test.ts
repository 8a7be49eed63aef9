import { createHash } from 'node:crypto';
import { loadConfig } from '../../src/config';
import { messages } from '../../src/errors';
import { CHANGE_PASSWORD, DELETE_USER, LOGOUT, LOGOUT_ALL, ME, SET_USER_ACTIVE } from '../support/documents';
import { loginUser, registerStaff, registerUser } from '../support/factories';
import { errorCode, graphql } from '../support/graphql';
import { loginWithAccess, meWithBearer } from '../support/jwt';
import { startTestApp, type TestApp } from '../support/test-app';

// The session cache is on by default. A change made behind the API's back (raw SQL, as another
// instance or an operator would) reaches it through the triggers and the change listener: the
// test app's `sql` returns once the listener has delivered what it committed, which is what makes
// "the next request" deterministic here; session-cache-instances.test.ts measures the delay.
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  await t.reset();
});
afterAll(() => t.close());

const me = (token: string) => graphql(t.url, ME, {}, { token });
const digest = (token: string) => createHash('sha256').update(token).digest();
const stats = () => t.app.sessionCache.stats();

/** `me` twice: the second one must come from memory. */
async function cached(token: string): Promise<void> {
  expect((await me(token)).errors).toBeUndefined();
  const hits = stats().hits;
  expect((await me(token)).errors).toBeUndefined();
  expect(stats().hits).toBe(hits + 1);
}

test('on by default for 30 s; SESSION_CACHE_SECONDS=0 turns it off', async () => {
  expect(loadConfig({}).sessionCacheSeconds).toBe(30);
  expect(loadConfig({ SESSION_CACHE_SECONDS: '0' }).sessionCacheSeconds).toBe(0);
  expect(() => loadConfig({ SESSION_CACHE_SECONDS: '301' })).toThrow(/SESSION_CACHE_SECONDS/);
  expect(stats().bypassing).toBe(false);
});

test.each([
  ['delete from sessions where token_hash = ?', (user: { token: string }) => [digest(user.token)]],
  [
    "update sessions set expires_at = now() - interval '1 second' where token_hash = ?",
    (user: { token: string }) => [digest(user.token)],
  ],
  ['update users set is_active = false where id = ?', (user: { id: string }) => [user.id]],
  ['delete from users where id = ?', (user: { id: string }) => [user.id]],
])('a cached token is refused at the next request after SQL: %s', async (query, params) => {
  const user = await registerUser(t.url);
  await cached(user.token);
  await t.sql(query, params(user));
  expect((await me(user.token)).errors![0].message).toBe(messages.invalidToken);
});

test('a change to a cached user row (SQL) is shown at the next request', async () => {
  const user = await registerUser(t.url);
  await cached(user.token);
  await t.sql("update users set first_name = 'Renamed' where id = ?", [user.id]);
  expect((await me(user.token)).data!.me.firstName).toBe('Renamed');
});

test('an access token (JWT) is cached by its session, and dropped with it', async () => {
  const user = await registerUser(t.url);
  const { accessToken, token } = await loginWithAccess(t.url, user.username, user.password);
  expect((await meWithBearer(t.url, accessToken)).errors).toBeUndefined();
  const hits = stats().hits;
  expect((await meWithBearer(t.url, accessToken)).errors).toBeUndefined();
  expect(stats().hits).toBe(hits + 1);
  await t.sql('delete from sessions where token_hash = ?', [digest(token)]);
  expect(errorCode(await meWithBearer(t.url, accessToken))).toBe('UNAUTHENTICATED');
});

test('a touch of last_used_at by the sliding expiry does not empty the cache', async () => {
  const user = await registerUser(t.url);
  await cached(user.token);
  const { invalidations } = stats();
  await t.sql('update sessions set last_used_at = now() where token_hash = ?', [digest(user.token)]);
  const hits = stats().hits;
  expect((await me(user.token)).errors).toBeUndefined();
  expect(stats()).toMatchObject({ invalidations, hits: hits + 1 });
});

test('logout, logoutAll, a password change and a deactivation through this instance apply at once', async () => {
  const user = await registerUser(t.url);
  const tokens = [user.token, await loginUser(t.url, user.username, user.password)];
  const third = await loginUser(t.url, user.username, user.password);
  for (const token of [...tokens, third]) await cached(token);
  await graphql(t.url, LOGOUT, {}, { token: tokens[0] });
  expect(errorCode(await me(tokens[0]))).toBe('UNAUTHENTICATED');
  const newPassword = 'Fresh-Marble-Comet-88';
  const input = { currentPassword: user.password, newPassword };
  await graphql(t.url, CHANGE_PASSWORD, { input }, { token: tokens[1] });
  expect(errorCode(await me(third))).toBe('UNAUTHENTICATED');
  expect((await me(tokens[1])).errors).toBeUndefined();

  const admin = await registerStaff(t.url, t.sql);
  await cached(tokens[1]);
  await graphql(t.url, SET_USER_ACTIVE, { id: user.id, active: false }, { token: admin.token });
  expect(errorCode(await me(tokens[1]))).toBe('UNAUTHENTICATED');

  const other = await registerUser(t.url);
  await cached(other.token);
  await graphql(t.url, LOGOUT_ALL, {}, { token: other.token });
  expect(errorCode(await me(other.token))).toBe('UNAUTHENTICATED');
});

test('staff rights are re-read for every staff operation, whatever the cache holds', async () => {
  const admin = await registerStaff(t.url, t.sql);
  const [first, second] = [await registerUser(t.url), await registerUser(t.url)];
  expect((await graphql(t.url, DELETE_USER, { id: first.id }, { token: admin.token })).data).toEqual({
    deleteUser: true,
  });
  await t.sql('update users set is_staff = false where id = ?', [admin.id]);
  expect(errorCode(await graphql(t.url, DELETE_USER, { id: second.id }, { token: admin.token }))).toBe('FORBIDDEN');
});
