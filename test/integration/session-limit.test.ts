import { ME } from '../support/documents';
import { loginUser, registerUser } from '../support/factories';
import { errorCode, graphql } from '../support/graphql';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ SESSION_LIMIT_PER_USER: '2' });
  await t.reset();
});
afterAll(() => t.close());

test('at the SESSION_LIMIT_PER_USER cap a new login removes the oldest session', async () => {
  const user = await registerUser(t.url);
  const second = await loginUser(t.url, user.username, user.password);
  const third = await loginUser(t.url, user.username, user.password);
  expect(errorCode(await graphql(t.url, ME, {}, { token: user.token }))).toBe('UNAUTHENTICATED');
  for (const token of [second, third]) expect((await graphql(t.url, ME, {}, { token })).data!.me.id).toBe(user.id);
  expect(await t.sql('select id from sessions where user_id = ?', [user.id])).toHaveLength(2);
  const bystander = await registerUser(t.url);
  expect((await graphql(t.url, ME, {}, { token: bystander.token })).errors).toBeUndefined();
  expect((await graphql(t.url, ME, {}, { token: third })).errors).toBeUndefined();
});
