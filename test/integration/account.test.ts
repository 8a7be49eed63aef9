import { messages } from '../../src/errors';
import { passwordMessages } from '../../src/lib/password-policy';
import {
  CHANGE_PASSWORD,
  DELETE_ACCOUNT,
  LOGIN,
  ME,
  REGISTER,
  REVOKE_SESSION,
  SESSIONS,
  UPDATE_PROFILE,
  USER_FIELDS,
} from '../support/documents';
import { loginUser, newUserInput, registerUser } from '../support/factories';
import { errorCode, fieldErrors, graphql } from '../support/graphql';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  await t.reset();
});
afterAll(() => t.close());

const me = (token: string) => graphql(t.url, ME, {}, { token });
const login = (username: string, password: string) => graphql(t.url, LOGIN, { input: { username, password } });

describe('sessions', () => {
  test('lists live sessions newest first, marks the current one, and never shows a token', async () => {
    const user = await registerUser(t.url);
    const second = await loginUser(t.url, user.username, user.password);
    const third = await loginUser(t.url, user.username, user.password);
    await t.sql(
      "update sessions set expires_at = now() - interval '1 second' where user_id = ? and created_at = (select min(created_at) from sessions where user_id = ?)",
      [user.id, user.id],
    );
    const result = await graphql(t.url, SESSIONS, {}, { token: second });
    const sessions = result.data!.sessions as { id: string; createdAt: string; current: boolean }[];
    expect(sessions).toHaveLength(2);
    expect(new Date(sessions[0].createdAt).getTime()).toBeGreaterThanOrEqual(new Date(sessions[1].createdAt).getTime());
    expect(sessions.map((session) => session.current)).toEqual([false, true]);
    for (const token of [user.token, second, third]) expect(result.text).not.toContain(token);
    expect(Object.keys(sessions[0]).sort()).toEqual([
      'createdAt',
      'current',
      'expiresAt',
      'id',
      'lastUsedAt',
      'userAgent',
    ]);
  });

  test('needs a valid token', async () => {
    expect(errorCode(await graphql(t.url, SESSIONS))).toBe('UNAUTHENTICATED');
  });
});

describe('revokeSession', () => {
  test("revokes one of the caller's own sessions", async () => {
    const user = await registerUser(t.url);
    const other = await loginUser(t.url, user.username, user.password);
    const sessions = (await graphql(t.url, SESSIONS, {}, { token: user.token })).data!.sessions;
    const target = sessions.find((session: { current: boolean }) => !session.current);
    expect((await graphql(t.url, REVOKE_SESSION, { id: target.id }, { token: user.token })).data).toEqual({
      revokeSession: true,
    });
    expect(errorCode(await me(other))).toBe('UNAUTHENTICATED');
    expect((await me(user.token)).data!.me.id).toBe(user.id);
  });

  test("someone else's, an unknown and a malformed id change nothing and get the same answer", async () => {
    const victim = await registerUser(t.url);
    const attacker = await registerUser(t.url);
    const [victimSession] = (await graphql(t.url, SESSIONS, {}, { token: victim.token })).data!.sessions;
    const answers = [];
    for (const id of [victimSession.id, '00000000-0000-4000-8000-000000000000', 'not-a-session-id']) {
      const result = await graphql(t.url, REVOKE_SESSION, { id }, { token: attacker.token });
      answers.push({ data: result.data, errors: result.errors });
    }
    expect(answers).toEqual([answers[0], answers[0], answers[0]]);
    expect(answers[0]).toEqual({ data: { revokeSession: false }, errors: undefined });
    expect((await me(victim.token)).data!.me.id).toBe(victim.id);
  });
});

describe('changePassword', () => {
  test('keeps exactly the current session, revokes the others, and retires the old password', async () => {
    const user = await registerUser(t.url);
    const current = await loginUser(t.url, user.username, user.password);
    const newPassword = 'Brand-New-Tangerine-Sky';
    const result = await graphql(
      t.url,
      CHANGE_PASSWORD,
      { input: { currentPassword: user.password, newPassword } },
      { token: current },
    );
    expect(result.data).toEqual({ changePassword: true });
    expect((await me(current)).data!.me.id).toBe(user.id);
    expect(errorCode(await me(user.token))).toBe('UNAUTHENTICATED');
    expect(await t.sql('select id from sessions where user_id = ?', [user.id])).toHaveLength(1);
    expect(errorCode(await login(user.username, user.password))).toBe('UNAUTHENTICATED');
    expect((await login(user.username, newPassword)).errors).toBeUndefined();
  });

  test('a wrong current password and a weak new one are reported together; nothing changes', async () => {
    const user = await registerUser(t.url);
    const other = await loginUser(t.url, user.username, user.password);
    const result = await graphql(
      t.url,
      CHANGE_PASSWORD,
      { input: { currentPassword: 'Not-The-Password-1', newPassword: 'short' } },
      { token: user.token },
    );
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(fieldErrors(result)!.currentPassword).toEqual([messages.wrongCurrentPassword]);
    expect(fieldErrors(result)!.newPassword).toContain(passwordMessages.tooShort(12));
    expect((await me(other)).data!.me.id).toBe(user.id);
    expect((await login(user.username, user.password)).errors).toBeUndefined();
  });

  test('the new password follows the registration policy and differs from the current one', async () => {
    const user = await registerUser(t.url, { username: 'pennyworthalfred' });
    const attempt = (newPassword: string) =>
      graphql(
        t.url,
        CHANGE_PASSWORD,
        { input: { currentPassword: user.password, newPassword } },
        { token: user.token },
      );
    expect(fieldErrors(await attempt(user.password))).toEqual({ newPassword: [messages.samePassword] });
    expect(fieldErrors(await attempt('qwerty123456'))).toEqual({ newPassword: [passwordMessages.tooCommon] });
    expect(fieldErrors(await attempt('pennyworthalfred1'))).toEqual({
      newPassword: [passwordMessages.tooSimilar('username')],
    });
  });

  test('needs a valid token', async () => {
    const result = await graphql(t.url, CHANGE_PASSWORD, { input: { currentPassword: 'a', newPassword: 'b' } });
    expect(errorCode(result)).toBe('UNAUTHENTICATED');
  });
});

describe('updateProfile', () => {
  test('changes username, email and names with registration rules', async () => {
    const user = await registerUser(t.url);
    const changes = {
      username: `${user.username}x`,
      email: `new.${user.email}`,
      firstName: 'Grace',
      lastName: 'Hopper',
    };
    const result = await graphql(t.url, UPDATE_PROFILE, { input: changes }, { token: user.token });
    expect(result.errors).toBeUndefined();
    expect(result.data!.updateProfile).toMatchObject(changes);
    expect((await login(changes.email, user.password)).errors).toBeUndefined();
    expect((await login(changes.username, user.password)).errors).toBeUndefined();
    const partial = await graphql(t.url, UPDATE_PROFILE, { input: { lastName: 'Murray' } }, { token: user.token });
    expect(partial.data!.updateProfile).toMatchObject({ ...changes, lastName: 'Murray' });
  });

  test('uniqueness ignores case and the user itself', async () => {
    const user = await registerUser(t.url);
    const other = await registerUser(t.url);
    const own = await graphql(
      t.url,
      UPDATE_PROFILE,
      { input: { email: user.email.toUpperCase(), username: user.username.toUpperCase() } },
      { token: user.token },
    );
    expect(own.errors).toBeUndefined();
    expect(own.data!.updateProfile.email).toBe(user.email.toUpperCase());
    const clash = await graphql(
      t.url,
      UPDATE_PROFILE,
      { input: { email: other.email.toUpperCase(), username: other.username.toUpperCase(), firstName: 'Kept?' } },
      { token: user.token },
    );
    expect(fieldErrors(clash)).toEqual({ username: [messages.usernameTaken], email: [messages.emailTaken] });
    expect((await me(user.token)).data!.me.firstName).toBe('');
  });

  test('invalid values are all reported and nothing changes', async () => {
    const user = await registerUser(t.url);
    const result = await graphql(
      t.url,
      UPDATE_PROFILE,
      { input: { username: 'no spaces!', email: 'nope', firstName: 'x'.repeat(151) } },
      { token: user.token },
    );
    expect(Object.keys(fieldErrors(result)!).sort()).toEqual(['email', 'firstName', 'username']);
    expect((await me(user.token)).data!.me.username).toBe(user.username);
  });

  test('fields outside the input type (isStaff, password) are rejected and nothing changes', async () => {
    const user = await registerUser(t.url);
    for (const extra of [{ isStaff: true }, { password: 'Sneaky-Password-123' }, { isSuperuser: true }]) {
      const result = await graphql(
        t.url,
        UPDATE_PROFILE,
        { input: { firstName: 'Changed', ...extra } },
        { token: user.token },
      );
      expect(result.status).toBe(400);
      expect(errorCode(result)).toBe('BAD_USER_INPUT');
    }
    const literal = await graphql(
      t.url,
      `mutation { updateProfile(input: { isStaff: true }) { ${USER_FIELDS} } }`,
      {},
      { token: user.token },
    );
    expect(errorCode(literal)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect((await me(user.token)).data!.me).toMatchObject({ firstName: '', isStaff: false, isSuperuser: false });
  });
});

describe('deleteAccount', () => {
  test('a wrong password deletes nothing', async () => {
    const user = await registerUser(t.url);
    const result = await graphql(t.url, DELETE_ACCOUNT, { password: 'Wrong-Password-Here' }, { token: user.token });
    expect(fieldErrors(result)).toEqual({ password: [messages.wrongPassword] });
    expect((await me(user.token)).data!.me.id).toBe(user.id);
  });

  test('the right password removes the user and every session; re-registering creates a new account old tokens cannot reach', async () => {
    const input = newUserInput();
    const first = (await graphql(t.url, REGISTER, { input })).data!.register;
    const other = await loginUser(t.url, input.username, input.password);
    expect((await graphql(t.url, DELETE_ACCOUNT, { password: input.password }, { token: first.token })).data).toEqual({
      deleteAccount: true,
    });
    expect(await t.sql('select id from sessions where user_id = ?', [first.user.id])).toHaveLength(0);
    expect(errorCode(await me(first.token))).toBe('UNAUTHENTICATED');
    expect(errorCode(await login(input.username, input.password))).toBe('UNAUTHENTICATED');

    const again = (await graphql(t.url, REGISTER, { input })).data!.register;
    expect(again.user.id).not.toBe(first.user.id);
    for (const token of [first.token, other]) expect(errorCode(await me(token))).toBe('UNAUTHENTICATED');
    expect((await me(again.token)).data!.me.id).toBe(again.user.id);
  });
});
