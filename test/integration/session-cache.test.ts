import { createHash } from 'node:crypto';
import { messages } from '../../src/errors';
import { CHANGE_PASSWORD, DELETE_USER, LOGOUT, LOGOUT_ALL, ME, SET_USER_ACTIVE } from '../support/documents';
import { loginUser, registerStaff, registerUser } from '../support/factories';
import { errorCode, graphql } from '../support/graphql';
import { startTestApp, type TestApp } from '../support/test-app';

// SESSION_CACHE_SECONDS=2: validated tokens are served from memory for up to 2 s. Revocations
// made through this instance apply at once; a change this instance did not make (here: SQL
// behind its back, as another instance would) is seen within the TTL.
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ SESSION_CACHE_SECONDS: '2' });
  await t.reset();
});
afterAll(() => t.close());

const me = (token: string) => graphql(t.url, ME, {}, { token });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const digest = (token: string) => createHash('sha256').update(token).digest();

test('a change made elsewhere is seen within the TTL, not before', async () => {
  const user = await registerUser(t.url);
  expect((await me(user.token)).data!.me.id).toBe(user.id);
  await t.sql('delete from sessions where token_hash = ?', [digest(user.token)]);
  // Still served from memory: proof that the cache is in use …
  expect((await me(user.token)).data!.me.id).toBe(user.id);
  await sleep(2100);
  // … and bounded.
  expect((await me(user.token)).errors![0].message).toBe(messages.invalidToken);
});

test('logout and logoutAll through this instance apply at once', async () => {
  const user = await registerUser(t.url);
  const other = await loginUser(t.url, user.username, user.password);
  const third = await loginUser(t.url, user.username, user.password);
  for (const token of [user.token, other, third]) expect((await me(token)).errors).toBeUndefined();
  await graphql(t.url, LOGOUT, {}, { token: user.token });
  expect(errorCode(await me(user.token))).toBe('UNAUTHENTICATED');
  await graphql(t.url, LOGOUT_ALL, {}, { token: other });
  for (const token of [other, third]) expect(errorCode(await me(token))).toBe('UNAUTHENTICATED');
});

test('a password change and a deactivation through this instance apply at once', async () => {
  const user = await registerUser(t.url);
  const other = await loginUser(t.url, user.username, user.password);
  expect((await me(other)).errors).toBeUndefined();
  await graphql(
    t.url,
    CHANGE_PASSWORD,
    { input: { currentPassword: user.password, newPassword: 'Fresh-Marble-Comet-88' } },
    { token: user.token },
  );
  expect(errorCode(await me(other))).toBe('UNAUTHENTICATED');
  expect((await me(user.token)).errors).toBeUndefined();

  const admin = await registerStaff(t.url, t.sql);
  expect((await me(user.token)).errors).toBeUndefined();
  await graphql(t.url, SET_USER_ACTIVE, { id: user.id, active: false }, { token: admin.token });
  expect(errorCode(await me(user.token))).toBe('UNAUTHENTICATED');
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
