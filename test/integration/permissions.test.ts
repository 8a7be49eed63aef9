import { messages } from '../../src/errors';
import { BUILT_IN_PERMISSIONS, Permissions } from '../../src/modules/permission/built-ins';
import { permissionCodenames } from '../../src/modules/permission/permission.service';
import {
  CREATE_GROUP,
  CREATE_PERMISSION,
  DELETE_GROUP,
  GROUPS,
  ME_ACCESS,
  PERMISSIONS,
  UPDATE_GROUP,
  USER_ACCESS,
} from '../support/access-documents';
import { DELETE_USER, ME, SET_USER_ACTIVE } from '../support/documents';
import { setUpAccessTests, type AccessTestApp } from '../support/access';
import { registerUser } from '../support/factories';
import { errorCode, graphql, type GraphQLResult } from '../support/graphql';
import { startTestApp } from '../support/test-app';

let t: AccessTestApp;
beforeAll(async () => {
  t = await setUpAccessTests(await startTestApp());
});
afterAll(() => t.close());

// Each built-in permission, the operation it guards, and what "allowed" looks like there.
const guarded: {
  codename: string;
  run: (token: string) => Promise<GraphQLResult>;
  allowed: (result: GraphQLResult) => void;
  denied?: (result: GraphQLResult) => void;
}[] = [
  {
    codename: Permissions.viewUser,
    run: async (token) => t.as(token, USER_ACCESS, { id: (await registerUser(t.url)).id }),
    allowed: (result) => expect(result.data!.user.email).toMatch(/@example\.com$/),
    // Not an error: the private fields of others are null.
    denied: (result) => expect(result.data!.user).toMatchObject({ email: null, groups: null, permissions: null }),
  },
  {
    codename: Permissions.changeUser,
    run: async (token) => t.as(token, SET_USER_ACTIVE, { id: (await registerUser(t.url)).id, active: false }),
    allowed: (result) => expect(result.data!.setUserActive.isActive).toBe(false),
  },
  {
    codename: Permissions.deleteUser,
    run: async (token) => t.as(token, DELETE_USER, { id: (await registerUser(t.url)).id }),
    allowed: (result) => expect(result.data).toEqual({ deleteUser: true }),
  },
  {
    codename: Permissions.viewGroup,
    run: (token) => t.as(token, GROUPS),
    allowed: (result) => expect(result.data!.groups.map((group: { name: string }) => group.name)).toContain('Staff'),
  },
  {
    codename: Permissions.addGroup,
    run: (token) => t.as(token, CREATE_GROUP, { input: { name: `added-${Math.random()}`, permissions: [] } }),
    allowed: (result) => expect(result.data!.createGroup.permissions).toEqual([]),
  },
  {
    codename: Permissions.changeGroup,
    run: async (token) =>
      t.as(token, UPDATE_GROUP, {
        id: (await t.newGroup([])).id,
        input: { name: `x${Math.random()}`, permissions: [] },
      }),
    allowed: (result) => expect(result.data!.updateGroup.name).toMatch(/^x/),
  },
  {
    codename: Permissions.deleteGroup,
    run: async (token) => t.as(token, DELETE_GROUP, { id: (await t.newGroup([])).id }),
    allowed: (result) => expect(result.data).toEqual({ deleteGroup: true }),
  },
  {
    codename: Permissions.addPermission,
    run: (token) => t.as(token, CREATE_PERMISSION, { codename: `app.p${Date.now()}`, name: 'Can p' }),
    allowed: (result) => expect(result.data!.createPermission.name).toBe('Can p'),
  },
];

describe('every built-in permission guards its operation', () => {
  test('the table covers every built-in permission', () => {
    expect(guarded.map((entry) => entry.codename).sort()).toEqual([...BUILT_IN_PERMISSIONS].sort());
  });

  test.each(guarded.map((entry) => [entry.codename, entry]))('%s: held directly', async (_codename, entry) => {
    entry.allowed(await entry.run((await t.userWith([entry.codename])).token));
  });

  test.each(guarded.map((entry) => [entry.codename, entry]))('%s: held through a group', async (_codename, entry) => {
    const user = await registerUser(t.url);
    await t.grant({ userId: user.id, groupIds: [(await t.newGroup([entry.codename])).id] });
    entry.allowed(await entry.run(user.token));
  });

  test.each(guarded.map((entry) => [entry.codename, entry]))(
    '%s: lacking it (holding every other one) is refused',
    async (_codename, entry) => {
      const user = await t.userWith(BUILT_IN_PERMISSIONS.filter((codename) => codename !== entry.codename));
      const result = await entry.run(user.token);
      if (entry.denied) entry.denied(result);
      else expect(result.errors![0]).toMatchObject({ message: messages.forbidden, extensions: { code: 'FORBIDDEN' } });
    },
  );

  test.each(guarded.map((entry) => [entry.codename, entry]))('%s: a superuser holds it', async (_codename, entry) => {
    // Superuser without isStaff: every permission all the same.
    const superuser = await registerUser(t.url);
    await t.sql('update users set is_superuser = true where id = ?', [superuser.id]);
    entry.allowed(await entry.run(superuser.token));
  });

  test('without a token every guarded operation is UNAUTHENTICATED, not FORBIDDEN', async () => {
    for (const entry of guarded.filter((one) => !one.denied)) {
      expect(errorCode(await entry.run(''))).toBe('UNAUTHENTICATED');
    }
  });
});

describe('changes apply from the next request', () => {
  test('revoking a direct permission, a membership, or a group’s permission', async () => {
    const target = () => registerUser(t.url).then((user) => ({ id: user.id }));
    const user = await t.userWith([Permissions.deleteUser]);
    expect((await t.as(user.token, DELETE_USER, await target())).data).toEqual({ deleteUser: true });
    await t.grant({ userId: user.id, permissions: [] });
    expect(errorCode(await t.as(user.token, DELETE_USER, await target()))).toBe('FORBIDDEN');

    const group = await t.newGroup([Permissions.deleteUser]);
    await t.grant({ userId: user.id, groupIds: [group.id] });
    expect((await t.as(user.token, DELETE_USER, await target())).data).toEqual({ deleteUser: true });
    await t.arrange(UPDATE_GROUP, { id: group.id, input: { name: group.name, permissions: [] } });
    expect(errorCode(await t.as(user.token, DELETE_USER, await target()))).toBe('FORBIDDEN');

    await t.arrange(UPDATE_GROUP, { id: group.id, input: { name: group.name, permissions: [Permissions.deleteUser] } });
    expect((await t.as(user.token, DELETE_USER, await target())).data).toEqual({ deleteUser: true });
    await t.grant({ userId: user.id, groupIds: [] });
    expect(errorCode(await t.as(user.token, DELETE_USER, await target()))).toBe('FORBIDDEN');
  });
});

describe('application-defined permissions', () => {
  test('appear in Query.permissions and in me, sorted, through a group and directly', async () => {
    await t.arrange(CREATE_PERMISSION, { codename: 'orders.refund', name: 'Can refund orders' });
    await t.arrange(CREATE_PERMISSION, { codename: 'orders.view_order', name: 'Can view orders' });
    const support = await t.arrange(CREATE_GROUP, { input: { name: 'Support', permissions: ['orders.refund'] } });
    const user = await registerUser(t.url);
    await t.grant({ userId: user.id, groupIds: [support.createGroup.id], permissions: ['orders.view_order'] });
    const me = (await t.as(user.token, ME_ACCESS)).data!.me;
    expect(me.permissions).toEqual(['orders.refund', 'orders.view_order']);
    expect(me.groups).toEqual([
      {
        id: support.createGroup.id,
        name: 'Support',
        permissions: [{ codename: 'orders.refund', name: 'Can refund orders' }],
      },
    ]);
    const listed = (await t.as(user.token, PERMISSIONS)).data!.permissions;
    expect(listed).toContainEqual({ codename: 'orders.refund', name: 'Can refund orders' });
    const codenames = listed.map((permission: { codename: string }) => permission.codename);
    expect(codenames).toEqual([...codenames].sort());
    expect(codenames).toEqual(expect.arrayContaining([...BUILT_IN_PERMISSIONS, 'orders.refund', 'orders.view_order']));
    expect(errorCode(await graphql(t.url, PERMISSIONS))).toBe('UNAUTHENTICATED');
  });

  test('a superuser holds every permission, application-defined ones included', async () => {
    await t.arrange(CREATE_PERMISSION, { codename: 'billing.export', name: 'Can export invoices' });
    const all = (await t.asRoot(PERMISSIONS)).data!.permissions.map((p: { codename: string }) => p.codename);
    expect((await t.asRoot(ME_ACCESS)).data!.me.permissions).toEqual(all);
    expect(all).toContain('billing.export');
  });

  test('an ordinary user holds none and sees their own empty lists', async () => {
    const user = await registerUser(t.url);
    expect((await t.as(user.token, ME_ACCESS)).data!.me).toMatchObject({ groups: [], permissions: [] });
    expect((await t.as(user.token, ME)).errors).toBeUndefined();
  });
});

describe('private fields of others', () => {
  test('groups and permissions follow users.view_user, as email does', async () => {
    const member = await registerUser(t.url);
    const group = await t.newGroup([Permissions.viewGroup]);
    await t.grant({ userId: member.id, groupIds: [group.id] });
    const plain = await registerUser(t.url);
    expect((await t.as(plain.token, USER_ACCESS, { id: member.id })).data!.user).toMatchObject({
      email: null,
      groups: null,
      permissions: null,
    });
    const viewer = await t.userWith([Permissions.viewUser]);
    expect((await t.as(viewer.token, USER_ACCESS, { id: member.id })).data!.user).toMatchObject({
      email: member.email,
      groups: [{ id: group.id }],
      permissions: [Permissions.viewGroup],
    });
  });
});

test('the first check of a request loads the permission set in one query; later checks reuse it', async () => {
  const user = await t.userWith([Permissions.viewGroup, Permissions.viewUser, Permissions.addPermission]);
  const other = await registerUser(t.url);
  const connection = t.app.orm.em.getConnection();
  const spy = jest.spyOn(connection, 'execute');
  try {
    const result = await t.as(
      user.token,
      `query Many($id: ID!) { a: groups { id } b: groups { name } u: user(id: $id) { email } p: permissions { codename } }`,
      { id: other.id },
    );
    expect(result.errors).toBeUndefined();
    const permissionSetQueries = spy.mock.calls
      .map(([query]) => String(query))
      .filter((sql) => sql.includes('users_permissions'));
    expect(permissionSetQueries).toHaveLength(1);
  } finally {
    spy.mockRestore();
  }
});

test("permissionCodenames (the access token's perms claim) lists what me { permissions } lists", async () => {
  await t.arrange(CREATE_PERMISSION, { codename: 'claims.read', name: 'Can read claims' });
  const user = await t.userWith(['claims.read']);
  await t.grant({ userId: user.id, groupIds: [(await t.newGroup([Permissions.viewGroup])).id] });
  const em = () => t.app.orm.em.fork();
  const claim = await permissionCodenames(em(), user.id);
  expect(claim).toEqual(['claims.read', Permissions.viewGroup]);
  expect((await t.as(user.token, ME_ACCESS)).data!.me.permissions).toEqual(claim);
  expect(await permissionCodenames(em(), t.root.id)).toEqual((await t.asRoot(ME_ACCESS)).data!.me.permissions);
  await t.sql('update users set is_active = false where id = ?', [user.id]);
  expect(await permissionCodenames(em(), user.id)).toEqual([]);
  expect(await permissionCodenames(em(), '00000000-0000-4000-8000-000000000000')).toEqual([]);
});
