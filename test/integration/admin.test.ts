import { messages } from '../../src/errors';
import { DELETE_USER, LOGIN, ME, SET_USER_ACTIVE, USER, USERS } from '../support/documents';
import { loginUser, registerStaff, registerUser } from '../support/factories';
import { errorCode, fieldErrors, graphql } from '../support/graphql';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  await t.reset();
});
afterAll(() => t.close());

const me = (token: string) => graphql(t.url, ME, {}, { token });
const setActive = (token: string, id: string, active: boolean) =>
  graphql(t.url, SET_USER_ACTIVE, { id, active }, { token });
const deleteUser = (token: string, id: string) => graphql(t.url, DELETE_USER, { id }, { token });
const staff = (options?: { superuser?: boolean }) => registerStaff(t.url, t.sql, options);

describe('setUserActive', () => {
  test('disabling revokes every session at once and blocks login with the generic error', async () => {
    const admin = await staff();
    const user = await registerUser(t.url);
    const other = await loginUser(t.url, user.username, user.password);
    const result = await setActive(admin.token, user.id, false);
    expect(result.data!.setUserActive).toMatchObject({ id: user.id, isActive: false, email: user.email });
    for (const token of [user.token, other]) expect(errorCode(await me(token))).toBe('UNAUTHENTICATED');
    expect(await t.sql('select id from sessions where user_id = ?', [user.id])).toHaveLength(0);
    const login = await graphql(t.url, LOGIN, { input: { username: user.username, password: user.password } });
    expect(login.errors![0]).toMatchObject({
      message: messages.invalidCredentials,
      extensions: { code: 'UNAUTHENTICATED' },
    });

    expect((await setActive(admin.token, user.id, true)).data!.setUserActive.isActive).toBe(true);
    expect((await loginUser(t.url, user.username, user.password)).length).toBe(43);
  });

  test('non-staff get FORBIDDEN and change nothing', async () => {
    const user = await registerUser(t.url);
    const target = await registerUser(t.url);
    const result = await setActive(user.token, target.id, false);
    expect(result.errors![0]).toMatchObject({ message: messages.forbidden, extensions: { code: 'FORBIDDEN' } });
    expect((await me(target.token)).data!.me.isActive).toBe(true);
  });

  test('staff cannot deactivate themselves, nor another staff account unless superuser', async () => {
    const admin = await staff();
    expect((await setActive(admin.token, admin.id, false)).errors![0]).toMatchObject({
      message: messages.cannotDeactivateSelf,
      extensions: { code: 'FORBIDDEN' },
    });
    const colleague = await staff();
    expect((await setActive(admin.token, colleague.id, false)).errors![0].message).toBe(messages.superuserRequired);
    const root = await staff({ superuser: true });
    expect((await setActive(root.token, colleague.id, false)).data!.setUserActive.isActive).toBe(false);
    expect((await me(admin.token)).data!.me.isActive).toBe(true);
  });

  test('an unknown or malformed id is BAD_USER_INPUT, never a 500', async () => {
    const admin = await staff();
    for (const id of ['00000000-0000-4000-8000-000000000000', 'nope']) {
      const result = await setActive(admin.token, id, false);
      expect(result.status).toBe(200);
      expect(fieldErrors(result)).toEqual({ id: [messages.userNotFound] });
    }
  });
});

describe('deleteUser', () => {
  test('staff delete an ordinary user and all its sessions', async () => {
    const admin = await staff();
    const user = await registerUser(t.url);
    expect((await deleteUser(admin.token, user.id)).data).toEqual({ deleteUser: true });
    expect(errorCode(await me(user.token))).toBe('UNAUTHENTICATED');
    expect(await t.sql('select id from users where id = ?', [user.id])).toHaveLength(0);
    expect(await t.sql('select id from sessions where user_id = ?', [user.id])).toHaveLength(0);
  });

  test('non-staff get FORBIDDEN, whatever the id', async () => {
    const user = await registerUser(t.url);
    const target = await registerUser(t.url);
    for (const id of [target.id, '00000000-0000-4000-8000-000000000000', 'garbage']) {
      expect(errorCode(await deleteUser(user.token, id))).toBe('FORBIDDEN');
    }
    expect((await me(target.token)).data!.me.id).toBe(target.id);
  });

  test('deleting another staff account needs a superuser; nobody deletes themselves this way', async () => {
    const admin = await staff();
    const colleague = await staff();
    expect((await deleteUser(admin.token, colleague.id)).errors![0].message).toBe(messages.superuserRequired);
    expect((await me(colleague.token)).data!.me.id).toBe(colleague.id);
    const root = await staff({ superuser: true });
    expect((await deleteUser(root.token, root.id)).errors![0]).toMatchObject({
      message: messages.cannotDeleteSelf,
      extensions: { code: 'FORBIDDEN' },
    });
    expect((await deleteUser(root.token, colleague.id)).data).toEqual({ deleteUser: true });
  });

  test('an unknown or malformed id is BAD_USER_INPUT', async () => {
    const admin = await staff();
    for (const id of ['00000000-0000-4000-8000-000000000000', "1' or '1'='1"]) {
      expect(fieldErrors(await deleteUser(admin.token, id))).toEqual({ id: [messages.userNotFound] });
    }
  });
});

describe('staff rights', () => {
  test('staff see everyone’s email and lastLogin', async () => {
    const admin = await staff();
    const user = await registerUser(t.url);
    await loginUser(t.url, user.username, user.password);
    const seen = (await graphql(t.url, USER, { id: user.id }, { token: admin.token })).data!.user;
    expect(seen.email).toBe(user.email);
    expect(seen.lastLogin).not.toBeNull();
    const listed = (await graphql(t.url, USERS, { search: user.username }, { token: admin.token })).data!.users.nodes;
    expect(listed[0].email).toBe(user.email);
  });

  test('a demotion takes effect on the very next request', async () => {
    const admin = await staff();
    const target = await registerUser(t.url);
    const [first, second] = [await registerUser(t.url), await registerUser(t.url)];
    expect((await deleteUser(admin.token, first.id)).data).toEqual({ deleteUser: true });
    await t.sql('update users set is_staff = false where id = ?', [admin.id]);
    expect(errorCode(await deleteUser(admin.token, second.id))).toBe('FORBIDDEN');
    expect(errorCode(await setActive(admin.token, target.id, false))).toBe('FORBIDDEN');
    expect((await graphql(t.url, USER, { id: target.id }, { token: admin.token })).data!.user.email).toBeNull();
  });
});
