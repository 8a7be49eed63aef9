import { decodeJwt } from 'jose';
import { CREATE_PERMISSION, ME_ACCESS } from '../support/access-documents';
import { setUpAccessTests, type AccessTestApp } from '../support/access';
import { registerUser } from '../support/factories';
import { loginWithAccess } from '../support/jwt';
import { startTestApp } from '../support/test-app';

// Issues 12 and 13 together: an application's own permission, granted through the API, shows in
// `me` and in the access token's `perms` claim, as of the time the token was issued.
let t: AccessTestApp;
beforeAll(async () => {
  t = await setUpAccessTests(await startTestApp());
});
afterAll(() => t.close());

test('application-defined permissions appear in me and in the access token', async () => {
  const clerk = await registerUser(t.url);
  const codename = `orders.refund_${Date.now()}`;
  await t.arrange(CREATE_PERMISSION, { codename, name: 'Can refund orders' });

  const before = await loginWithAccess(t.url, clerk.username, clerk.password);
  expect(decodeJwt(before.accessToken).perms).toEqual([]);

  await t.grant({ userId: clerk.id, permissions: [codename] });
  const me = await t.as(clerk.token, ME_ACCESS);
  expect(me.data!.me.permissions).toEqual([codename]);

  const after = await loginWithAccess(t.url, clerk.username, clerk.password);
  expect(decodeJwt(after.accessToken).perms).toEqual([codename]);
  // The token issued before the grant still says what was true then.
  expect(decodeJwt(before.accessToken).perms).toEqual([]);
});
