import { messages } from '../../src/errors';
import { Permissions, STAFF_GROUP_ID, STAFF_GROUP_PERMISSIONS } from '../../src/modules/permission/built-ins';
import {
  CREATE_GROUP,
  CREATE_PERMISSION,
  DELETE_GROUP,
  GROUPS,
  ME_ACCESS,
  PERMISSIONS,
  SET_USER_ACCESS,
  UPDATE_GROUP,
} from '../support/access-documents';
import { registerStaff, registerUser, type RegisteredUser } from '../support/factories';
import { errorCode, fieldErrors, graphql } from '../support/graphql';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let root: RegisteredUser;
beforeAll(async () => {
  t = await startTestApp();
  await t.reset();
  root = await registerStaff(t.url, t.sql, { superuser: true });
});
afterAll(() => t.close());

const as = (token: string, query: string, variables: Record<string, unknown> = {}) =>
  graphql(t.url, query, variables, { token });
const byRoot = (query: string, variables: Record<string, unknown> = {}) => as(root.token, query, variables);
const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
const groupCount = async () => (await t.sql('select count(*)::int as n from groups'))[0].n as number;

async function userWith(permissions: string[]): Promise<RegisteredUser> {
  const user = await registerUser(t.url);
  const result = await byRoot(SET_USER_ACCESS, { input: { userId: user.id, permissions } });
  expect(result.errors).toBeUndefined();
  return user;
}

describe('createPermission', () => {
  test('creates an application permission', async () => {
    const result = await byRoot(CREATE_PERMISSION, { codename: 'orders.refund_2', name: '  Can refund  ' });
    expect(result.data!.createPermission).toEqual({ codename: 'orders.refund_2', name: 'Can refund' });
  });

  test('a duplicate codename is BAD_USER_INPUT on codename', async () => {
    await byRoot(CREATE_PERMISSION, { codename: 'orders.ship', name: 'Can ship' });
    const result = await byRoot(CREATE_PERMISSION, { codename: 'orders.ship', name: 'Again' });
    expect(fieldErrors(result)).toEqual({ codename: [messages.permissionTaken] });
    expect(await t.sql("select name from permissions where codename = 'orders.ship'")).toEqual([{ name: 'Can ship' }]);
  });

  test('a malformed codename or name is BAD_USER_INPUT, every problem at once, nothing written', async () => {
    const malformed = ['Orders.refund', 'orders', 'orders.refund.more', 'orders.re-fund', '.refund', 'orders.', ''];
    for (const codename of [...malformed, `a.${'b'.repeat(99)}`, ' orders.refund ']) {
      const result = await byRoot(CREATE_PERMISSION, { codename, name: '' });
      expect(result.errors![0].extensions.code).toBe('BAD_USER_INPUT');
      expect(fieldErrors(result)).toEqual({ codename: [messages.codenameFormat], name: [messages.permissionName] });
    }
    expect(fieldErrors(await byRoot(CREATE_PERMISSION, { codename: 'a.b', name: 'x'.repeat(256) }))).toEqual({
      name: [messages.permissionName],
    });
    const codenames = (await byRoot(PERMISSIONS)).data!.permissions.map((p: { codename: string }) => p.codename);
    expect(codenames).not.toContain('a.b');
  });
});

describe('createGroup', () => {
  test('creates a group with its permissions, sorted; groups lists it', async () => {
    const name = unique('Editors');
    const result = await byRoot(CREATE_GROUP, {
      input: { name: `  ${name} `, permissions: [Permissions.viewUser, Permissions.changeGroup, Permissions.viewUser] },
    });
    expect(result.data!.createGroup).toMatchObject({
      name,
      permissions: [
        { codename: Permissions.changeGroup, name: 'Can change group' },
        { codename: Permissions.viewUser, name: 'Can view user' },
      ],
    });
    const listed = (await byRoot(GROUPS)).data!.groups;
    expect(listed).toContainEqual(result.data!.createGroup);
    expect(listed).toContainEqual(expect.objectContaining({ id: STAFF_GROUP_ID, name: 'Staff' }));
  });

  test('a name taken ignoring case (and width) is BAD_USER_INPUT, nothing written', async () => {
    await byRoot(CREATE_GROUP, { input: { name: 'Reviewers', permissions: [] } });
    const before = await groupCount();
    for (const name of ['reviewers', 'REVIEWERS', 'Ｒeviewers', 'staff']) {
      expect(fieldErrors(await byRoot(CREATE_GROUP, { input: { name, permissions: [] } }))).toEqual({
        name: [messages.groupNameTaken],
      });
    }
    expect(await groupCount()).toBe(before);
  });

  test('unknown and malformed permissions are reported with the name, and nothing is written', async () => {
    await byRoot(CREATE_GROUP, { input: { name: 'Auditors', permissions: [] } });
    const before = await groupCount();
    const result = await byRoot(CREATE_GROUP, {
      input: { name: 'AUDITORS', permissions: [Permissions.viewUser, 'orders.nope', 'Bad Codename', 'zz.top'] },
    });
    expect(fieldErrors(result)).toEqual({
      name: [messages.groupNameTaken],
      permissions: [
        messages.codenameFormat,
        messages.unknownPermission('orders.nope'),
        messages.unknownPermission('zz.top'),
      ],
    });
    const fresh = await byRoot(CREATE_GROUP, { input: { name: unique('fresh'), permissions: ['orders.nope'] } });
    expect(fieldErrors(fresh)).toEqual({ permissions: [messages.unknownPermission('orders.nope')] });
    expect(await groupCount()).toBe(before);
  });

  test('an empty or overlong name is BAD_USER_INPUT', async () => {
    for (const name of ['', '   ', 'x'.repeat(151)]) {
      expect(fieldErrors(await byRoot(CREATE_GROUP, { input: { name, permissions: [] } }))).toEqual({
        name: [messages.groupName],
      });
    }
    const longest = 'é'.repeat(150);
    expect((await byRoot(CREATE_GROUP, { input: { name: longest, permissions: [] } })).data!.createGroup.name).toBe(
      longest,
    );
  });

  test('whoever is not a superuser can put into a group only permissions they hold', async () => {
    const creator = await userWith([Permissions.addGroup, Permissions.viewUser]);
    const allowed = await as(creator.token, CREATE_GROUP, {
      input: { name: unique('viewers'), permissions: [Permissions.viewUser] },
    });
    expect(allowed.errors).toBeUndefined();
    const before = await groupCount();
    const refused = await as(creator.token, CREATE_GROUP, {
      input: { name: unique('deleters'), permissions: [Permissions.viewUser, Permissions.deleteUser] },
    });
    expect(refused.errors![0]).toMatchObject({
      message: messages.grantOnlyHeld([Permissions.deleteUser]),
      extensions: { code: 'FORBIDDEN' },
    });
    expect(await groupCount()).toBe(before);
  });
});

describe('updateGroup', () => {
  test('renames and replaces the permissions; its own name in another case is fine', async () => {
    const created = (
      await byRoot(CREATE_GROUP, { input: { name: unique('ops'), permissions: [Permissions.viewUser] } })
    ).data!.createGroup;
    const renamed = await byRoot(UPDATE_GROUP, {
      id: created.id,
      input: { name: created.name.toUpperCase(), permissions: [Permissions.viewGroup] },
    });
    expect(renamed.data!.updateGroup).toEqual({
      id: created.id,
      name: created.name.toUpperCase(),
      permissions: [{ codename: Permissions.viewGroup, name: 'Can view group' }],
    });
  });

  test('an unknown id, a taken name and unknown permissions are BAD_USER_INPUT; nothing changes', async () => {
    const created = (await byRoot(CREATE_GROUP, { input: { name: unique('a'), permissions: [Permissions.viewUser] } }))
      .data!.createGroup;
    const other = (await byRoot(CREATE_GROUP, { input: { name: unique('b'), permissions: [] } })).data!.createGroup;
    for (const id of ['00000000-0000-4000-8000-000000000000', 'nope']) {
      expect(fieldErrors(await byRoot(UPDATE_GROUP, { id, input: { name: 'z', permissions: [] } }))).toEqual({
        id: [messages.groupNotFound],
      });
    }
    const result = await byRoot(UPDATE_GROUP, {
      id: created.id,
      input: { name: other.name.toUpperCase(), permissions: ['no.such'] },
    });
    expect(fieldErrors(result)).toEqual({
      name: [messages.groupNameTaken],
      permissions: [messages.unknownPermission('no.such')],
    });
    expect((await byRoot(GROUPS)).data!.groups).toContainEqual(created);
  });

  test('the Staff group: only a superuser changes its permissions, and nobody renames it', async () => {
    const changer = await userWith([Permissions.changeGroup, ...STAFF_GROUP_PERMISSIONS]);
    const byChanger = await as(changer.token, UPDATE_GROUP, {
      id: STAFF_GROUP_ID,
      input: { name: 'Staff', permissions: [...STAFF_GROUP_PERMISSIONS] },
    });
    expect(byChanger.errors![0]).toMatchObject({
      message: messages.staffGroupSuperuserOnly,
      extensions: { code: 'FORBIDDEN' },
    });
    expect(
      fieldErrors(await byRoot(UPDATE_GROUP, { id: STAFF_GROUP_ID, input: { name: 'Crew', permissions: [] } })),
    ).toEqual({ name: [messages.staffGroupFixed] });

    const staff = await registerStaff(t.url, t.sql);
    const edited = await byRoot(UPDATE_GROUP, {
      id: STAFF_GROUP_ID,
      input: { name: 'Staff', permissions: [...STAFF_GROUP_PERMISSIONS, Permissions.viewGroup] },
    });
    expect(edited.errors).toBeUndefined();
    expect((await as(staff.token, GROUPS)).errors).toBeUndefined();
    expect((await as(staff.token, ME_ACCESS)).data!.me.permissions).toContain(Permissions.viewGroup);
  });

  test('adding a permission the caller lacks is FORBIDDEN; keeping one they lack is fine', async () => {
    const group = (await byRoot(CREATE_GROUP, { input: { name: unique('g'), permissions: [Permissions.deleteUser] } }))
      .data!.createGroup;
    const changer = await userWith([Permissions.changeGroup]);
    const keep = await as(changer.token, UPDATE_GROUP, {
      id: group.id,
      input: { name: group.name, permissions: [Permissions.deleteUser, Permissions.changeGroup] },
    });
    expect(keep.errors).toBeUndefined();
    const add = await as(changer.token, UPDATE_GROUP, {
      id: group.id,
      input: { name: group.name, permissions: [Permissions.addGroup] },
    });
    expect(add.errors![0].message).toBe(messages.grantOnlyHeld([Permissions.addGroup]));
  });
});

describe('deleteGroup', () => {
  test('deletes a group; its members lose its permissions at their next request', async () => {
    const group = (
      await byRoot(CREATE_GROUP, { input: { name: unique('temp'), permissions: [Permissions.viewGroup] } })
    ).data!.createGroup;
    const member = await registerUser(t.url);
    await byRoot(SET_USER_ACCESS, { input: { userId: member.id, groupIds: [group.id] } });
    expect((await as(member.token, GROUPS)).errors).toBeUndefined();
    expect((await byRoot(DELETE_GROUP, { id: group.id })).data).toEqual({ deleteGroup: true });
    expect(errorCode(await as(member.token, GROUPS))).toBe('FORBIDDEN');
    expect((await as(member.token, ME_ACCESS)).data!.me.groups).toEqual([]);
  });

  test('an unknown id and the Staff group are BAD_USER_INPUT', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'garbage']) {
      expect(fieldErrors(await byRoot(DELETE_GROUP, { id }))).toEqual({ id: [messages.groupNotFound] });
    }
    expect(fieldErrors(await byRoot(DELETE_GROUP, { id: STAFF_GROUP_ID.toUpperCase() }))).toEqual({
      id: [messages.staffGroupFixed],
    });
    expect(await t.sql('select id from groups where id = ?', [STAFF_GROUP_ID])).toHaveLength(1);
  });
});
