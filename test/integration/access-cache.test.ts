import { GROUPS } from '../support/access-documents';
import { registerStaff, registerUser } from '../support/factories';
import { errorCode, graphql } from '../support/graphql';
import { startTestApp, type TestApp } from '../support/test-app';

// Permissions are never cached across requests, even where sessions are: a change made by
// another instance (here: straight in the database) applies to the user's very next request.

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ SESSION_CACHE_SECONDS: '60' });
  await t.reset();
});
afterAll(() => t.close());

test('with the session cache on, a permission revoked elsewhere is refused at once', async () => {
  const user = await registerUser(t.url);
  await t.sql("insert into users_permissions (user_id, permission_codename) values (?, 'groups.view_group')", [
    user.id,
  ]);
  expect((await graphql(t.url, GROUPS, {}, { token: user.token })).errors).toBeUndefined();
  await t.sql('delete from users_permissions where user_id = ?', [user.id]);
  expect(errorCode(await graphql(t.url, GROUPS, {}, { token: user.token }))).toBe('FORBIDDEN');
});

test('with the session cache on, a group losing a permission elsewhere applies at once', async () => {
  const user = await registerUser(t.url);
  const [group] = await t.sql<{ id: string }>(
    "insert into groups (id, name, name_canonical) values (gen_random_uuid(), 'Viewers', 'viewers') returning id",
  );
  await t.sql("insert into groups_permissions (group_id, permission_codename) values (?, 'groups.view_group')", [
    group.id,
  ]);
  await t.sql('insert into users_groups (user_id, group_id) values (?, ?)', [user.id, group.id]);
  expect((await graphql(t.url, GROUPS, {}, { token: user.token })).errors).toBeUndefined();
  await t.sql('delete from groups_permissions where group_id = ?', [group.id]);
  expect(errorCode(await graphql(t.url, GROUPS, {}, { token: user.token }))).toBe('FORBIDDEN');
});

test('with the session cache on, a demotion by SQL (is_staff) takes the Staff rights at once', async () => {
  const staff = await registerStaff(t.url, t.sql);
  const target = await registerUser(t.url);
  const deleteUser = (id: string) =>
    graphql(t.url, 'mutation D($id: ID!) { deleteUser(id: $id) }', { id }, { token: staff.token });
  expect((await deleteUser(target.id)).data).toEqual({ deleteUser: true });
  await t.sql('update users set is_staff = false where id = ?', [staff.id]);
  expect(errorCode(await deleteUser((await registerUser(t.url)).id))).toBe('FORBIDDEN');
});

test('with the session cache on, a superuser demoted by SQL holds nothing from the next request', async () => {
  const root = await registerUser(t.url);
  await t.sql('update users set is_superuser = true where id = ?', [root.id]);
  expect((await graphql(t.url, GROUPS, {}, { token: root.token })).errors).toBeUndefined();
  await t.sql('update users set is_superuser = false where id = ?', [root.id]);
  expect(errorCode(await graphql(t.url, GROUPS, {}, { token: root.token }))).toBe('FORBIDDEN');
});
