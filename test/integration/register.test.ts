import { messages } from '../../src/errors';
import { passwordMessages } from '../../src/lib/password-policy';
import { LOGIN, ME, REGISTER } from '../support/documents';
import { newUserInput } from '../support/factories';
import { errorCode, fieldErrors, graphql } from '../support/graphql';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  await t.reset();
});
afterAll(() => t.close());

const register = (input: Record<string, unknown>) => graphql(t.url, REGISTER, { input });
const login = (username: string, password: string) => graphql(t.url, LOGIN, { input: { username, password } });
const countUsers = async (usernameCanonical: string) =>
  Number((await t.sql('select count(*) as n from users where username_canonical = ?', [usernameCanonical]))[0].n);

describe('register', () => {
  test('creates an active user and a session usable at once', async () => {
    const input = newUserInput({ firstName: 'Ada', lastName: 'Lovelace' });
    const before = Date.now();
    const result = await register(input);
    expect(result.errors).toBeUndefined();
    const payload = result.data!.register;
    expect(payload.user).toMatchObject({
      username: input.username,
      email: input.email,
      firstName: 'Ada',
      lastName: 'Lovelace',
      isActive: true,
      isStaff: false,
      isSuperuser: false,
      daysCount: 0,
    });
    // Registering logs the new user in (issue 16): the login is recorded.
    expect(new Date(payload.user.lastLogin).getTime()).toBeGreaterThanOrEqual(before);
    const ttlMs = 30 * 24 * 3600 * 1000;
    expect(new Date(payload.expiresAt).getTime()).toBeGreaterThanOrEqual(before + ttlMs - 1000);
    expect(new Date(payload.expiresAt).getTime()).toBeLessThanOrEqual(Date.now() + ttlMs + 1000);
    const me = await graphql(t.url, ME, {}, { token: payload.token });
    expect(me.data!.me.id).toBe(payload.user.id);
  });

  test('reports every field problem at once and creates nothing', async () => {
    const result = await register({ username: 'a b', email: 'not-an-email', password: 'short' });
    expect(result.status).toBe(200);
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    const fields = fieldErrors(result)!;
    expect(Object.keys(fields).sort()).toEqual(['email', 'password', 'username']);
    expect(fields.password).toContain(passwordMessages.tooShort(12));
    expect(await countUsers('a b')).toBe(0);
  });

  test.each([
    ['ab', false],
    ['abc', true],
    ['a'.repeat(30), true],
    ['a'.repeat(31), false],
    ['bad name', false],
    ['bad!name', false],
    ['ok.name+tag-1_x@y', true],
    ['Ünïcödé_ok', true],
  ])('username %j accepted: %s', async (username, accepted) => {
    const input = newUserInput({ username });
    const result = await register(input);
    if (accepted) {
      expect(result.errors).toBeUndefined();
    } else {
      expect(errorCode(result)).toBe('BAD_USER_INPUT');
      expect(Object.keys(fieldErrors(result)!)).toEqual(['username']);
    }
  });

  test('usernames are NFKC-normalised and unique ignoring case', async () => {
    const base = newUserInput().username;
    const fullWidth = `Ｇ${base}`; // full-width G
    const first = await register(newUserInput({ username: fullWidth }));
    expect(first.errors).toBeUndefined();
    expect(first.data!.register.user.username).toBe(`G${base}`);
    for (const clash of [`g${base}`, `G${base.toUpperCase()}`, fullWidth]) {
      const result = await register(newUserInput({ username: clash }));
      expect(errorCode(result)).toBe('BAD_USER_INPUT');
      expect(fieldErrors(result)).toEqual({ username: [messages.usernameTaken] });
    }
    expect(await countUsers(`g${base}`)).toBe(1);
  });

  test('emails are validated and unique ignoring case', async () => {
    const taken = newUserInput();
    expect((await register(taken)).errors).toBeUndefined();
    const duplicate = await register(newUserInput({ email: taken.email.toUpperCase() }));
    expect(fieldErrors(duplicate)).toEqual({ email: [messages.emailTaken] });

    const tooLong = await register(newUserInput({ email: `${'a'.repeat(64)}@${'b'.repeat(185)}.com` }));
    expect(Object.keys(fieldErrors(tooLong)!)).toEqual(['email']);
    for (const email of ['plainaddress', 'a@b', '@example.com', 'a b@example.com']) {
      expect(Object.keys(fieldErrors(await register(newUserInput({ email })))!)).toEqual(['email']);
    }
  });

  test('a taken username is reported together with other problems', async () => {
    const taken = newUserInput();
    await register(taken);
    const result = await register(newUserInput({ username: taken.username.toUpperCase(), password: 'x' }));
    const fields = fieldErrors(result)!;
    expect(fields.username).toEqual([messages.usernameTaken]);
    expect(fields.password).toContain(passwordMessages.tooShort(12));
  });

  test.each([
    ['too short', 'Abc-123-xyz', passwordMessages.tooShort(12)],
    ['common', 'qwerty123456', passwordMessages.tooCommon],
    ['common in another case', 'QWERTY123456', passwordMessages.tooCommon],
    ['entirely numeric', '8403917265038417', passwordMessages.entirelyNumeric],
    ['too long', 'x'.repeat(1025), passwordMessages.tooLong(1024)],
  ])('a password that is %s is refused', async (_, password, message) => {
    const input = newUserInput({ password });
    const result = await register(input);
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(fieldErrors(result)!.password).toContain(message);
    expect(result.text).not.toContain(password);
    expect(await countUsers(input.username)).toBe(0);
  });

  test('a password too like the username or email is refused', async () => {
    const input = newUserInput({ username: 'margaretcavendish' });
    const byUsername = await register({ ...input, password: 'margaretcavendish1' });
    expect(fieldErrors(byUsername)!.password).toEqual([passwordMessages.tooSimilar('username')]);
    const byEmail = await register(
      newUserInput({ email: 'hildegardbingen@example.com', password: 'hildegardbingen!' }),
    );
    expect(fieldErrors(byEmail)!.password).toEqual([passwordMessages.tooSimilar('email address')]);
  });

  test('passwordConfirm, when given, must match', async () => {
    const input = newUserInput();
    const mismatch = await register({ ...input, passwordConfirm: `${input.password}x` });
    expect(fieldErrors(mismatch)).toEqual({ passwordConfirm: [messages.passwordMismatch] });
    const match = await register({ ...input, passwordConfirm: input.password });
    expect(match.errors).toBeUndefined();
  });

  test('a 64-character ASCII password is accepted and long passwords are never truncated', async () => {
    const ascii64 = newUserInput({ password: `Qz7-${'fjord-lantern-'.repeat(5)}`.slice(0, 64) });
    expect(ascii64.password).toHaveLength(64);
    expect((await register(ascii64)).errors).toBeUndefined();
    expect((await login(ascii64.username, ascii64.password)).errors).toBeUndefined();

    // bcrypt alone would read only the first 72 bytes of these.
    const long = newUserInput({ password: `${'Ocelot-Prairie-Glimmer-'.repeat(4)}tail-A` });
    expect((await register(long)).errors).toBeUndefined();
    expect(errorCode(await login(long.username, `${long.password.slice(0, -1)}B`))).toBe('UNAUTHENTICATED');
    expect(errorCode(await login(long.username, long.password.slice(0, 72)))).toBe('UNAUTHENTICATED');
    expect((await login(long.username, long.password)).errors).toBeUndefined();

    const emoji = newUserInput({ password: `${'🔑'.repeat(20)}x` }); // 80+ bytes, 21 characters
    expect((await register(emoji)).errors).toBeUndefined();
    expect(errorCode(await login(emoji.username, `${'🔑'.repeat(20)}y`))).toBe('UNAUTHENTICATED');
  });

  test('whitespace in a password is kept as typed', async () => {
    const input = newUserInput({ password: '  Harbour Thistle Quill  ' });
    expect((await register(input)).errors).toBeUndefined();
    expect(errorCode(await login(input.username, input.password.trim()))).toBe('UNAUTHENTICATED');
    expect((await login(input.username, input.password)).errors).toBeUndefined();
  });

  test('the password is stored only as a bcrypt hash', async () => {
    const input = newUserInput();
    const result = await register(input);
    const [row] = await t.sql('select password_hash from users where id = ?', [result.data!.register.user.id]);
    expect(row.password_hash).toMatch(/^\$2[aby]\$04\$.{53}$/);
    expect(row.password_hash).not.toContain(input.password);
  });

  test('simultaneous registrations of one username yield exactly one user', async () => {
    const username = newUserInput().username;
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, index) =>
        register(newUserInput({ username: index % 2 ? username.toUpperCase() : username })),
      ),
    );
    const succeeded = results.filter((result) => !result.errors);
    expect(succeeded).toHaveLength(1);
    for (const failed of results.filter((result) => result.errors)) {
      expect(failed.status).toBe(200);
      expect(fieldErrors(failed)).toEqual({ username: [messages.usernameTaken] });
    }
    expect(await countUsers(username)).toBe(1);
  });

  test('a garbage or stale Authorization header does not block registration', async () => {
    const result = await graphql(
      t.url,
      REGISTER,
      { input: newUserInput() },
      { headers: { authorization: 'Token nonsense' } },
    );
    expect(result.errors).toBeUndefined();
  });
});
