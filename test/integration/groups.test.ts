import { messages } from '../../src/errors';
import { Permissions, STAFF_GROUP_ID, STAFF_GROUP_PERMISSIONS } from '../../src/modules/permission/built-ins';
import {
  CREATE_GROUP,
  CREATE_PERMISSION,
  DELETE_GROUP,
  GROUPS,
  ME_ACCESS,
  PERMISSIONS,
  UPDATE_GROUP,
} from '../support/access-documents';
import { setUpAccessTests, uniqueName, type AccessTestApp } from '../support/access';
import { registerStaff, registerUser } from '../support/factories';
import { errorCode, fieldErrors } from '../support/graphql';
import { startTestApp } from '../support/test-app';

let t: AccessTestApp;
beforeAll(async () => {
  t = await setUpAccessTests(await startTestApp());
});
afterAll(() => t.close());

const groupCount = async () => (await t.sql('select count(*)::int as n from groups'))[0].n as number;

describe('createPermission', () => {
  test('creates an application permission', async () => {
    const result = await t.asRoot(CREATE_PERMISSION, { codename: 'orders.refund_2', name: '  Can refund  ' });
    expect(result.data!.createPermission).toEqual({ codename: 'orders.refund_2', name: 'Can refund' });
  });

  test('a duplicate codename is BAD_USER_INPUT on codename', async () => {
    await t.asRoot(CREATE_PERMISSION, { codename: 'orders.ship', name: 'Can ship' });
    const result = await t.asRoot(CREATE_PERMISSION, { codename: 'orders.ship', name: 'Again' });
    expect(fieldErrors(result)).toEqual({ codename: [messages.permissionTaken] });
    expect(await t.sql("select name from permissions where codename = 'orders.ship'")).toEqual([{ name: 'Can ship' }]);
  });

  test('a malformed codename or name is BAD_USER_INPUT, every problem at once, nothing written', async () => {
    const malformed = ['Orders.refund', 'orders', 'orders.refund.more', 'orders.re-fund', '.refund', 'orders.', ''];
    for (const codename of [...malformed, `a.${'b'.repeat(99)}`, ' orders.refund ']) {
      const result = await t.asRoot(CREATE_PERMISSION, { codename, name: '' });
      expect(result.errors![0].extensions.code).toBe('BAD_USER_INPUT');
      expect(fieldErrors(result)).toEqual({ codename: [messages.codenameFormat], name: [messages.permissionName] });
    }
    expect(fieldErrors(await t.asRoot(CREATE_PERMISSION, { codename: 'a.b', name: 'x'.repeat(256) }))).toEqual({
      name: [messages.permissionName],
    });
    const codenames = (await t.asRoot(PERMISSIONS)).data!.permissions.map((p: { codename: string }) => p.codename);
    expect(codenames).not.toContain('a.b');
  });
});

describe('createGroup', () => {
  test('creates a group with its permissions, sorted; groups lists it', async () => {
    const name = uniqueName('Editors');
    const result = await t.asRoot(CREATE_GROUP, {
      input: { name: `  ${name} `, permissions: [Permissions.viewUser, Permissions.changeGroup, Permissions.viewUser] },
    });
    expect(result.data!.createGroup).toMatchObject({
      name,
      permissions: [
        { codename: Permissions.changeGroup, name: 'Can change group' },
        { codename: Permissions.viewUser, name: 'Can view user' },
      ],
    });
    const listed = (await t.asRoot(GROUPS)).data!.groups;
    expect(listed).toContainEqual(result.data!.createGroup);
    expect(listed).toContainEqual(expect.objectContaining({ id: STAFF_GROUP_ID, name: 'Staff' }));
  });

  test('a name taken ignoring case (and width) is BAD_USER_INPUT, nothing written', async () => {
    await t.asRoot(CREATE_GROUP, { input: { name: 'Reviewers', permissions: [] } });
    const before = await groupCount();
    for (const name of ['reviewers', 'REVIEWERS', 'Ｒeviewers', 'staff']) {
      expect(fieldErrors(await t.asRoot(CREATE_GROUP, { input: { name, permissions: [] } }))).toEqual({
        name: [messages.groupNameTaken],
      });
    }
    expect(await groupCount()).toBe(before);
  });

  test('unknown and malformed permissions are reported with the name, and nothing is written', async () => {
    await t.asRoot(CREATE_GROUP, { input: { name: 'Auditors', permissions: [] } });
    const before = await groupCount();
    const result = await t.asRoot(CREATE_GROUP, {
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
    const fresh = await t.asRoot(CREATE_GROUP, { input: { name: uniqueName('fresh'), permissions: ['orders.nope'] } });
    expect(fieldErrors(fresh)).toEqual({ permissions: [messages.unknownPermission('orders.nope')] });
    expect(await groupCount()).toBe(before);
  });

  test('an empty or overlong name is BAD_USER_INPUT', async () => {
    for (const name of ['', '   ', 'x'.repeat(151)]) {
      expect(fieldErrors(await t.asRoot(CREATE_GROUP, { input: { name, permissions: [] } }))).toEqual({
        name: [messages.groupName],
      });
    }
    const longest = 'é'.repeat(150);
    expect((await t.asRoot(CREATE_GROUP, { input: { name: longest, permissions: [] } })).data!.createGroup.name).toBe(
      longest,
    );
  });

  test('whoever is not a superuser can put into a group only permissions they hold', async () => {
    const creator = await t.userWith([Permissions.addGroup, Permissions.viewUser]);
    const allowed = await t.as(creator.token, CREATE_GROUP, {
      input: { name: uniqueName('viewers'), permissions: [Permissions.viewUser] },
    });
    expect(allowed.errors).toBeUndefined();
    const before = await groupCount();
    const refused = await t.as(creator.token, CREATE_GROUP, {
      input: { name: uniqueName('deleters'), permissions: [Permissions.viewUser, Permissions.deleteUser] },
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
      await t.asRoot(CREATE_GROUP, { input: { name: uniqueName('ops'), permissions: [Permissions.viewUser] } })
    ).data!.createGroup;
    const renamed = await t.asRoot(UPDATE_GROUP, {
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
    const created = (
      await t.asRoot(CREATE_GROUP, { input: { name: uniqueName('a'), permissions: [Permissions.viewUser] } })
    ).data!.createGroup;
    const other = (await t.asRoot(CREATE_GROUP, { input: { name: uniqueName('b'), permissions: [] } })).data!
      .createGroup;
    for (const id of ['00000000-0000-4000-8000-000000000000', 'nope']) {
      expect(fieldErrors(await t.asRoot(UPDATE_GROUP, { id, input: { name: 'z', permissions: [] } }))).toEqual({
        id: [messages.groupNotFound],
      });
    }
    const result = await t.asRoot(UPDATE_GROUP, {
      id: created.id,
      input: { name: other.name.toUpperCase(), permissions: ['no.such'] },
    });
    expect(fieldErrors(result)).toEqual({
      name: [messages.groupNameTaken],
      permissions: [messages.unknownPermission('no.such')],
    });
    expect((await t.asRoot(GROUPS)).data!.groups).toContainEqual(created);
  });

  test('the Staff group: only a superuser changes its permissions, and nobody renames it', async () => {
    const changer = await t.userWith([Permissions.changeGroup, ...STAFF_GROUP_PERMISSIONS]);
    const byChanger = await t.as(changer.token, UPDATE_GROUP, {
      id: STAFF_GROUP_ID,
      input: { name: 'Staff', permissions: [...STAFF_GROUP_PERMISSIONS] },
    });
    expect(byChanger.errors![0]).toMatchObject({
      message: messages.staffGroupSuperuserOnly,
      extensions: { code: 'FORBIDDEN' },
    });
    expect(
      fieldErrors(await t.asRoot(UPDATE_GROUP, { id: STAFF_GROUP_ID, input: { name: 'Crew', permissions: [] } })),
    ).toEqual({ name: [messages.staffGroupFixed] });

    const staff = await registerStaff(t.url, t.sql);
    const edited = await t.asRoot(UPDATE_GROUP, {
      id: STAFF_GROUP_ID,
      input: { name: 'Staff', permissions: [...STAFF_GROUP_PERMISSIONS, Permissions.viewGroup] },
    });
    expect(edited.errors).toBeUndefined();
    expect((await t.as(staff.token, GROUPS)).errors).toBeUndefined();
    expect((await t.as(staff.token, ME_ACCESS)).data!.me.permissions).toContain(Permissions.viewGroup);
  });

  test('adding a permission the caller lacks is FORBIDDEN; keeping one they lack is fine', async () => {
    const group = (
      await t.asRoot(CREATE_GROUP, { input: { name: uniqueName('g'), permissions: [Permissions.deleteUser] } })
    ).data!.createGroup;
    const changer = await t.userWith([Permissions.changeGroup]);
    const keep = await t.as(changer.token, UPDATE_GROUP, {
      id: group.id,
      input: { name: group.name, permissions: [Permissions.deleteUser, Permissions.changeGroup] },
    });
    expect(keep.errors).toBeUndefined();
    const add = await t.as(changer.token, UPDATE_GROUP, {
      id: group.id,
      input: { name: group.name, permissions: [Permissions.addGroup] },
    });
    expect(add.errors![0].message).toBe(messages.grantOnlyHeld([Permissions.addGroup]));
  });
});

describe('deleteGroup', () => {
  test('deletes a group; its members lose its permissions at their next request', async () => {
    const group = (
      await t.asRoot(CREATE_GROUP, { input: { name: uniqueName('temp'), permissions: [Permissions.viewGroup] } })
    ).data!.createGroup;
    const member = await registerUser(t.url);
    await t.grant({ userId: member.id, groupIds: [group.id] });
    expect((await t.as(member.token, GROUPS)).errors).toBeUndefined();
    expect((await t.asRoot(DELETE_GROUP, { id: group.id })).data).toEqual({ deleteGroup: true });
    expect(errorCode(await t.as(member.token, GROUPS))).toBe('FORBIDDEN');
    expect((await t.as(member.token, ME_ACCESS)).data!.me.groups).toEqual([]);
  });

  test('an unknown id and the Staff group are BAD_USER_INPUT', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'garbage']) {
      expect(fieldErrors(await t.asRoot(DELETE_GROUP, { id }))).toEqual({ id: [messages.groupNotFound] });
    }
    expect(fieldErrors(await t.asRoot(DELETE_GROUP, { id: STAFF_GROUP_ID.toUpperCase() }))).toEqual({
      id: [messages.staffGroupFixed],
    });
    expect(await t.sql('select id from groups where id = ?', [STAFF_GROUP_ID])).toHaveLength(1);
  });
});
