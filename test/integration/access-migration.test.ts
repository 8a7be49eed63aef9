import { STAFF_GROUP_ID, STAFF_GROUP_PERMISSIONS, BUILT_IN_PERMISSIONS } from '../../src/modules/permission/built-ins';
import { randomUUID } from 'node:crypto';
import { startTestApp, type TestApp } from '../support/test-app';

// The upgrade of a database that has staff accounts: the built-in permissions and the Staff
// group appear, and every existing staff account (and only those) joins it.

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  await t.reset();
});
afterAll(() => t.close());

test('existing staff accounts join Staff; the built-ins are created; down and up again are clean', async () => {
  const migrator = t.app.orm.getMigrator();
  // Back to just before the data migration (umzug reverts down to and including the one named).
  await migrator.down({ to: 'Migration20261201204827_access_built_ins' });
  expect(await t.sql('select codename from permissions')).toEqual([]);
  // Rows as an older server wrote them, by SQL: the API of today needs the later migrations too.
  const insertUser = async (name: string, isStaff: boolean) => {
    const id = randomUUID();
    await t.sql(
      `insert into users (id, username, username_canonical, email, email_canonical, password_hash, is_staff)
       values (?, ?, ?, ?, ?, ?, ?)`,
      [id, name, name, `${name}@example.com`, `${name}@example.com`, '$2b$04$'.padEnd(60, 'x'), isStaff],
    );
    return { id };
  };
  const staff = await insertUser(`staff${Date.now()}`, true);
  const plain = await insertUser(`plain${Date.now()}`, false);
  expect(await t.sql('select * from users_groups')).toEqual([]);

  await migrator.up();
  expect(await t.sql('select user_id, group_id from users_groups')).toEqual([
    { user_id: staff.id, group_id: STAFF_GROUP_ID },
  ]);
  const codenames = (await t.sql('select codename from permissions')).map((row) => row.codename);
  expect(codenames.sort()).toEqual([...BUILT_IN_PERMISSIONS].sort());
  const staffPermissions = await t.sql('select permission_codename from groups_permissions where group_id = ?', [
    STAFF_GROUP_ID,
  ]);
  expect(staffPermissions.map((row) => row.permission_codename).sort()).toEqual([...STAFF_GROUP_PERMISSIONS].sort());
  expect(await t.sql('select id from users where id = ?', [plain.id])).toHaveLength(1);
  // The later migrations ran again too: the older rows got their login names.
  expect(await t.sql('select name from login_names where user_id = ?', [staff.id])).toHaveLength(2);
});
