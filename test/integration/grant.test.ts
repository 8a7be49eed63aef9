import { runCreateSuperuser } from '../../src/cli/createsuperuser';
import { runGrant } from '../../src/cli/grant';
import { Permissions, STAFF_GROUP_ID } from '../../src/modules/permission/built-ins';
import { fakeCliIO, withApp } from '../support/cli';
import { registerUser } from '../support/factories';

// The app runs only around the checks, never while the CLI runs (see support/cli.ts).

async function access(userId: string) {
  return withApp(async (t) => ({
    isStaff: (await t.sql('select is_staff from users where id = ?', [userId]))[0].is_staff as boolean,
    groups: (
      await t.sql(
        'select g.name from users_groups ug join groups g on g.id = ug.group_id where ug.user_id = ? order by 1',
        [userId],
      )
    ).map((row) => row.name as string),
    permissions: (
      await t.sql('select permission_codename from users_permissions where user_id = ? order by 1', [userId])
    ).map((row) => row.permission_codename as string),
  }));
}

let user: { id: string; username: string };
beforeAll(() =>
  withApp(async (t) => {
    await t.reset();
    await t.sql("insert into permissions (codename, name) values ('orders.refund', 'Can refund orders')");
    await t.sql(
      "insert into groups (id, name, name_canonical) values (gen_random_uuid(), 'Support Desk', 'support desk')",
    );
    user = await registerUser(t.url);
  }),
);

test('grants permissions by codename and groups by name ignoring case, and repeats harmlessly', async () => {
  for (let run = 0; run < 2; run += 1) {
    const { io, output } = fakeCliIO();
    expect(
      await runGrant([user.username.toUpperCase(), 'orders.refund', 'support desk', Permissions.viewUser], io),
    ).toBe(0);
    expect(output.stdout).toContain('permission orders.refund');
    expect(output.stdout).toContain('group Support Desk');
  }
  expect(await access(user.id)).toEqual({
    isStaff: false,
    groups: ['Support Desk'],
    permissions: ['orders.refund', Permissions.viewUser],
  });
});

test('naming Staff makes the account staff', async () => {
  const { io } = fakeCliIO();
  expect(await runGrant([user.username, 'STAFF'], io)).toBe(0);
  const after = await access(user.id);
  expect(after).toMatchObject({ isStaff: true });
  expect(after.groups).toContain('Staff');
});

test('an unknown user or name exits non-zero and writes nothing', async () => {
  const other = await withApp((t) => registerUser(t.url));
  const unknownName = fakeCliIO();
  expect(await runGrant([other.username, Permissions.deleteUser, 'no.such', 'Nobody'], unknownName.io)).toBe(1);
  expect(unknownName.output.stderr).toContain('There is no permission or group named "no.such".');
  expect(unknownName.output.stderr).toContain('"Nobody"');
  expect(await access(other.id)).toEqual({ isStaff: false, groups: [], permissions: [] });
  const unknownUser = fakeCliIO();
  expect(await runGrant(['no_such_user', Permissions.deleteUser], unknownUser.io)).toBe(1);
  expect(unknownUser.output.stderr).toContain('There is no user named "no_such_user".');
  const usage = fakeCliIO();
  expect(await runGrant([other.username], usage.io)).toBe(2);
  expect(usage.output.stderr).toContain('Usage: npm run grant');
});

test('createsuperuser puts the new account in Staff', async () => {
  const { io } = fakeCliIO();
  const args = [
    '--username',
    'granted_root',
    '--email',
    'granted_root@example.com',
    '--password',
    'Amber-Quill-Raven-52',
  ];
  expect(await runCreateSuperuser(args, io)).toBe(0);
  const rows = await withApp((t) =>
    t.sql(
      "select ug.group_id from users u join users_groups ug on ug.user_id = u.id where u.username = 'granted_root'",
    ),
  );
  expect(rows).toEqual([{ group_id: STAFF_GROUP_ID }]);
});
