import bcrypt from 'bcrypt';
import { messages } from '../../src/errors';
import { LOGIN, ME } from '../support/documents';
import { registerUser } from '../support/factories';
import { errorCode, graphql, type RequestOptions } from '../support/graphql';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  await t.reset();
});
afterAll(() => t.close());
afterEach(() => jest.restoreAllMocks());

const login = (username: string, password: string, options?: RequestOptions) =>
  graphql(t.url, LOGIN, { input: { username, password } }, options);

describe('login', () => {
  test('accepts the username or the email, each ignoring case', async () => {
    const user = await registerUser(t.url);
    for (const name of [user.username, user.username.toUpperCase(), user.email, user.email.toUpperCase()]) {
      const result = await login(name, user.password);
      expect(result.errors).toBeUndefined();
      expect(result.data!.login.user.id).toBe(user.id);
      expect(result.data!.login.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
  });

  test('sets lastLogin and records the user agent of the new session', async () => {
    const user = await registerUser(t.url);
    const before = Date.now();
    const result = await login(user.username, user.password, { headers: { 'user-agent': 'TestBrowser/1.0' } });
    const lastLogin = new Date(result.data!.login.user.lastLogin).getTime();
    expect(lastLogin).toBeGreaterThanOrEqual(before - 1000);
    expect(lastLogin).toBeLessThanOrEqual(Date.now() + 1000);
    const me = await graphql(t.url, ME, {}, { token: result.data!.login.token });
    expect(me.data!.me.lastLogin).toBe(result.data!.login.user.lastLogin);
    const sessions = await t.sql('select user_agent from sessions where user_id = ? order by created_at', [user.id]);
    expect(sessions.map((row) => row.user_agent)).toEqual(['node', 'TestBrowser/1.0']); // fetch's own, then ours
  });

  test('every login is its own session', async () => {
    const user = await registerUser(t.url);
    const first = (await login(user.username, user.password)).data!.login.token;
    const second = (await login(user.username, user.password)).data!.login.token;
    expect(first).not.toBe(second);
    for (const token of [first, second, user.token]) {
      expect((await graphql(t.url, ME, {}, { token })).data!.me.id).toBe(user.id);
    }
  });

  test('wrong password, unknown user and inactive user get the same answer', async () => {
    const user = await registerUser(t.url);
    const inactive = await registerUser(t.url);
    await t.sql('update users set is_active = false where id = ?', [inactive.id]);
    const answers = [
      await login(user.username, `${user.password}x`),
      await login('nobody-by-this-name', user.password),
      await login('nobody@example.com', user.password),
      await login(inactive.username, inactive.password),
    ];
    for (const answer of answers) {
      expect(answer.data).toBeNull();
      expect(answer.errors).toHaveLength(1);
      expect(answer.errors![0]).toEqual({
        message: messages.invalidCredentials,
        locations: expect.any(Array),
        path: ['login'],
        extensions: { code: 'UNAUTHENTICATED', reason: 'INVALID_CREDENTIALS' },
      });
    }
    // An inactive user's existing session stops working too.
    expect(errorCode(await graphql(t.url, ME, {}, { token: inactive.token }))).toBe('UNAUTHENTICATED');
  });

  test('runs exactly one bcrypt comparison whether or not the account exists', async () => {
    const user = await registerUser(t.url);
    const compare = jest.spyOn(bcrypt, 'compare');
    for (const [name, password] of [
      [user.username, user.password],
      [user.username, 'Wrong-Password-123'],
      ['unknown-user-name', 'Wrong-Password-123'],
    ]) {
      compare.mockClear();
      await login(name, password);
      expect(compare).toHaveBeenCalledTimes(1);
    }
    // The unknown user is compared against a real bcrypt hash of the configured cost.
    expect(String(compare.mock.calls[0][1])).toMatch(/^\$2[aby]\$04\$.{53}$/);
  });

  test('an absurdly long password fails like a wrong one, without hashing it', async () => {
    const user = await registerUser(t.url);
    const compare = jest.spyOn(bcrypt, 'compare');
    const result = await login(user.username, 'x'.repeat(5000));
    expect(result.errors![0].message).toBe(messages.invalidCredentials);
    expect(compare).not.toHaveBeenCalled();
  });

  test('a stale or garbage Authorization header does not block login', async () => {
    const user = await registerUser(t.url);
    await graphql(t.url, 'mutation { logout }', {}, { token: user.token });
    for (const authorization of [`Token ${user.token}`, 'Bearer garbage', 'Basic dXNlcjpwYXNz', 'Token']) {
      const result = await login(user.username, user.password, { headers: { authorization } });
      expect(result.errors).toBeUndefined();
    }
  });
});
