import { decodeJwt } from 'jose';
import { CREATE_PERMISSION, ME_ACCESS, SET_USER_ACCESS } from '../support/access-documents';
import { registerStaff, registerUser } from '../support/factories';
import { graphql } from '../support/graphql';
import { loginWithAccess } from '../support/jwt';
import { startTestApp, type TestApp } from '../support/test-app';

// Issues 12 and 13 together: an application's own permission, granted through the API, shows in
// `me` and in the access token's `perms` claim, as of the time the token was issued.
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  await t.reset();
});
afterAll(() => t.close());

test('application-defined permissions appear in me and in the access token', async () => {
  const admin = await registerStaff(t.url, t.sql, { superuser: true });
  const clerk = await registerUser(t.url);
  const codename = `orders.refund_${Date.now()}`;
  const created = await graphql(
    t.url,
    CREATE_PERMISSION,
    { codename, name: 'Can refund orders' },
    { token: admin.token },
  );
  expect(created.errors).toBeUndefined();

  const before = await loginWithAccess(t.url, clerk.username, clerk.password);
  expect(decodeJwt(before.accessToken).perms).toEqual([]);

  const granted = await graphql(
    t.url,
    SET_USER_ACCESS,
    { input: { userId: clerk.id, permissions: [codename] } },
    { token: admin.token },
  );
  expect(granted.errors).toBeUndefined();
  const me = await graphql(t.url, ME_ACCESS, {}, { token: clerk.token });
  expect(me.data!.me.permissions).toEqual([codename]);

  const after = await loginWithAccess(t.url, clerk.username, clerk.password);
  expect(decodeJwt(after.accessToken).perms).toEqual([codename]);
  // The token issued before the grant still says what was true then.
  expect(decodeJwt(before.accessToken).perms).toEqual([]);
});
