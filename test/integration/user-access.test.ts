import { messages } from '../../src/errors';
import { Permissions, STAFF_GROUP_ID, STAFF_GROUP_PERMISSIONS } from '../../src/modules/permission/built-ins';
import { ME_ACCESS, SET_USER_ACCESS, USERS_ACCESS } from '../support/access-documents';
import { DELETE_USER } from '../support/documents';
import { setUpAccessTests, uniqueName, type AccessTestApp } from '../support/access';
import { registerStaff, registerUser } from '../support/factories';
import { errorCode, fieldErrors } from '../support/graphql';
import { startTestApp } from '../support/test-app';

let t: AccessTestApp;
beforeAll(async () => {
  t = await setUpAccessTests(await startTestApp());
});
afterAll(() => t.close());

const setAccess = (token: string, input: Record<string, unknown>) => t.as(token, SET_USER_ACCESS, { input });
const accessRows = async (userId: string) => ({
  groups: (await t.sql('select group_id from users_groups where user_id = ? order by 1', [userId])).map(
    (row) => row.group_id,
  ),
  permissions: (
    await t.sql('select permission_codename from users_permissions where user_id = ? order by 1', [userId])
  ).map((row) => row.permission_codename),
});

describe('setUserAccess', () => {
  test('replaces groups and direct permissions; omitted lists stay as they are', async () => {
    const user = await registerUser(t.url);
    const [first, second] = [await t.newGroup([Permissions.viewGroup]), await t.newGroup([])];
    const set = await setAccess(t.root.token, {
      userId: user.id,
      groupIds: [first.id, second.id.toUpperCase()],
      permissions: [Permissions.viewUser, Permissions.viewUser],
    });
    expect(set.data!.setUserAccess).toMatchObject({
      id: user.id,
      email: user.email,
      permissions: [Permissions.viewGroup, Permissions.viewUser],
    });
    expect(set.data!.setUserAccess.groups.map((group: { id: string }) => group.id).sort()).toEqual(
      [first.id, second.id].sort(),
    );
    const onlyPermissions = await setAccess(t.root.token, { userId: user.id, permissions: [] });
    expect(onlyPermissions.data!.setUserAccess.permissions).toEqual([Permissions.viewGroup]);
    expect((await accessRows(user.id)).groups.sort()).toEqual([first.id, second.id].sort());
  });

  test('every bad input at once, as BAD_USER_INPUT, and nothing is written', async () => {
    const user = await registerUser(t.url);
    const kept = await t.newGroup([]);
    await setAccess(t.root.token, { userId: user.id, groupIds: [kept.id], permissions: [Permissions.viewUser] });
    const before = await accessRows(user.id);
    const missing = '00000000-0000-4000-8000-000000000000';
    const result = await setAccess(t.root.token, {
      userId: user.id,
      groupIds: [kept.id, missing, 'not-an-id'],
      permissions: [Permissions.viewGroup, 'no.such', 'NOT VALID'],
    });
    expect(result.errors![0].extensions.code).toBe('BAD_USER_INPUT');
    expect(fieldErrors(result)).toEqual({
      groupIds: [messages.groupNotFound, messages.unknownGroup(missing)],
      permissions: [messages.codenameFormat, messages.unknownPermission('no.such')],
    });
    expect(await accessRows(user.id)).toEqual(before);
    for (const userId of [missing, 'nope']) {
      expect(fieldErrors(await setAccess(t.root.token, { userId, permissions: [] }))).toEqual({
        userId: [messages.userNotFound],
      });
    }
  });

  test('needs users.change_user', async () => {
    const user = await registerUser(t.url);
    const target = await registerUser(t.url);
    const result = await setAccess(user.token, { userId: target.id, permissions: [] });
    expect(result.errors![0]).toMatchObject({ message: messages.forbidden, extensions: { code: 'FORBIDDEN' } });
    expect(errorCode(await setAccess('', { userId: target.id }))).toBe('UNAUTHENTICATED');
  });

  test('whoever is not a superuser can grant only what they hold, through a group as directly', async () => {
    const manager = await registerUser(t.url);
    await setAccess(t.root.token, { userId: manager.id, permissions: [Permissions.changeUser, Permissions.viewUser] });
    const target = await registerUser(t.url);
    expect((await setAccess(manager.token, { userId: target.id, permissions: [Permissions.viewUser] })).errors).toBe(
      undefined,
    );
    const direct = await setAccess(manager.token, { userId: target.id, permissions: [Permissions.deleteUser] });
    expect(direct.errors![0]).toMatchObject({
      message: messages.grantOnlyHeld([Permissions.deleteUser]),
      extensions: { code: 'FORBIDDEN' },
    });
    const viaGroup = await setAccess(manager.token, {
      userId: target.id,
      groupIds: [(await t.newGroup([Permissions.addGroup])).id],
    });
    expect(viaGroup.errors![0].message).toBe(messages.grantOnlyHeld([Permissions.addGroup]));
    // Nor to themselves.
    const self = await setAccess(manager.token, { userId: manager.id, permissions: [Permissions.deleteUser] });
    expect(errorCode(self)).toBe('FORBIDDEN');
    expect(await accessRows(target.id)).toEqual({ groups: [], permissions: [Permissions.viewUser] });
  });
});

describe('staff and superuser rules', () => {
  test('isStaff: true puts the account in Staff with its rights at once; false takes them away', async () => {
    const user = await registerUser(t.url);
    const victim = async () => ({ id: (await registerUser(t.url)).id });
    expect(errorCode(await t.as(user.token, DELETE_USER, await victim()))).toBe('FORBIDDEN');
    const promoted = (await setAccess(t.root.token, { userId: user.id, isStaff: true })).data!.setUserAccess;
    expect(promoted).toMatchObject({ isStaff: true, groups: [{ id: STAFF_GROUP_ID, name: 'Staff' }] });
    expect(promoted.permissions).toEqual([...STAFF_GROUP_PERMISSIONS].sort());
    expect((await t.as(user.token, DELETE_USER, await victim())).data).toEqual({ deleteUser: true });

    const demoted = (await setAccess(t.root.token, { userId: user.id, isStaff: false })).data!.setUserAccess;
    expect(demoted).toMatchObject({ isStaff: false, groups: [], permissions: [] });
    expect(errorCode(await t.as(user.token, DELETE_USER, await victim()))).toBe('FORBIDDEN');
  });

  test('only a superuser changes isStaff, and only a superuser acts on a staff account', async () => {
    const staff = await registerStaff(t.url, t.sql);
    const user = await registerUser(t.url);
    const result = await setAccess(staff.token, { userId: user.id, isStaff: true });
    expect(result.errors![0]).toMatchObject({
      message: messages.isStaffSuperuserOnly,
      extensions: { code: 'FORBIDDEN' },
    });
    const colleague = await registerStaff(t.url, t.sql);
    for (const userId of [colleague.id, staff.id, t.root.id]) {
      expect((await setAccess(staff.token, { userId, permissions: [] })).errors![0].message).toBe(
        messages.superuserRequired,
      );
    }
    // Staff manage ordinary accounts with the rights they hold.
    const granted = await setAccess(staff.token, { userId: user.id, permissions: [...STAFF_GROUP_PERMISSIONS] });
    expect(granted.data!.setUserAccess.permissions).toEqual([...STAFF_GROUP_PERMISSIONS].sort());
    expect((await setAccess(t.root.token, { userId: colleague.id, permissions: [Permissions.viewGroup] })).errors).toBe(
      undefined,
    );
  });

  test('Staff membership follows isStaff: groupIds can neither add nor drop it', async () => {
    const user = await registerUser(t.url);
    const other = await t.newGroup([]);
    const refused = await setAccess(t.root.token, { userId: user.id, groupIds: [STAFF_GROUP_ID] });
    expect(fieldErrors(refused)).toEqual({ groupIds: [messages.staffGroupFollowsIsStaff] });
    const both = await setAccess(t.root.token, { userId: user.id, groupIds: [STAFF_GROUP_ID], isStaff: true });
    expect(both.data!.setUserAccess.groups.map((group: { id: string }) => group.id)).toEqual([STAFF_GROUP_ID]);
    const withoutStaff = await setAccess(t.root.token, { userId: user.id, groupIds: [other.id] });
    expect(withoutStaff.data!.setUserAccess.isStaff).toBe(true);
    expect((await accessRows(user.id)).groups.sort()).toEqual([other.id, STAFF_GROUP_ID].sort());
    const demotedWithStaff = await setAccess(t.root.token, {
      userId: user.id,
      groupIds: [STAFF_GROUP_ID],
      isStaff: false,
    });
    expect(fieldErrors(demotedWithStaff)).toEqual({ groupIds: [messages.staffGroupFollowsIsStaff] });
    expect((await accessRows(user.id)).groups.sort()).toEqual([other.id, STAFF_GROUP_ID].sort());
  });

  test('an account made staff or not by SQL joins or leaves Staff too (operators did so before)', async () => {
    const user = await registerUser(t.url);
    await t.sql('update users set is_staff = true where id = ?', [user.id]);
    expect((await accessRows(user.id)).groups).toEqual([STAFF_GROUP_ID]);
    await t.sql('update users set is_staff = false where id = ?', [user.id]);
    expect((await accessRows(user.id)).groups).toEqual([]);
  });
});

describe('User.groups and User.permissions in lists', () => {
  test('a page of users shows each one’s own groups and effective permissions', async () => {
    const prefix = uniqueName('lst').replace('-', '');
    const group = await t.newGroup([Permissions.viewGroup]);
    const [a, b] = [
      await registerUser(t.url, { username: `${prefix}a` }),
      await registerUser(t.url, { username: `${prefix}b` }),
    ];
    await setAccess(t.root.token, { userId: a.id, groupIds: [group.id], permissions: [Permissions.viewUser] });
    await setAccess(t.root.token, { userId: b.id, permissions: [Permissions.addGroup] });
    const nodes = (await t.asRoot(USERS_ACCESS, { search: prefix })).data!.users.nodes;
    expect(nodes.map((node: { permissions: string[] }) => node.permissions)).toEqual([
      [Permissions.viewGroup, Permissions.viewUser],
      [Permissions.addGroup],
    ]);
    expect(nodes[0].groups).toEqual([expect.objectContaining({ id: group.id })]);
    expect(nodes[1].groups).toEqual([]);
    // a holds users.view_user and sees both; b does not, and sees only its own.
    const seenByA = (await t.as(a.token, USERS_ACCESS, { search: prefix })).data!.users.nodes;
    expect(seenByA.map((node: { permissions: string[] | null }) => node.permissions)).toEqual([
      [Permissions.viewGroup, Permissions.viewUser],
      [Permissions.addGroup],
    ]);
    const seenByB = (await t.as(b.token, USERS_ACCESS, { search: prefix })).data!.users.nodes;
    expect(seenByB.map((node: { groups: unknown }) => node.groups)).toEqual([null, []]);
    expect((await t.as(b.token, ME_ACCESS)).data!.me.permissions).toEqual([Permissions.addGroup]);
  });
});
