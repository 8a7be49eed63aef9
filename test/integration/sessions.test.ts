import { createHash } from 'node:crypto';
import { messages } from '../../src/errors';
import { LOGOUT, LOGOUT_ALL, ME } from '../support/documents';
import { loginUser, registerUser } from '../support/factories';
import { graphql } from '../support/graphql';
import { startTestApp, type TestApp } from '../support/test-app';

const TTL_SECONDS = 3600;
const TOUCH_SECONDS = 300;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({
    SESSION_TTL_SECONDS: String(TTL_SECONDS),
    SESSION_TOUCH_INTERVAL_SECONDS: String(TOUCH_SECONDS),
  });
  await t.reset();
});
afterAll(() => t.close());

const me = (token: string) => graphql(t.url, ME, {}, { token });
const digest = (token: string) => createHash('sha256').update(token).digest();
const sessionRow = async (token: string) =>
  (await t.sql('select * from sessions where token_hash = ?', [digest(token)]))[0];

describe('tokens', () => {
  test('are 256 random bits of URL-safe text, stored only as a SHA-256 digest', async () => {
    const user = await registerUser(t.url);
    const second = await loginUser(t.url, user.username, user.password);
    expect(user.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(second).not.toBe(user.token);
    const rows = await t.sql('select * from sessions where user_id = ?', [user.id]);
    expect(rows).toHaveLength(2);
    const stored = JSON.stringify(
      rows.map((row) => ({ ...row, token_hash: Buffer.from(row.token_hash).toString('base64url') })),
    );
    expect(stored).not.toContain(user.token);
    expect(stored).not.toContain(second);
    expect(Buffer.from((await sessionRow(user.token)).token_hash)).toEqual(digest(user.token));
  });

  test('a session row records createdAt, expiresAt, lastUsedAt and the user agent', async () => {
    const user = await registerUser(t.url);
    const row = await sessionRow(user.token);
    expect(row).toMatchObject({ user_id: user.id, user_agent: 'node' }); // what fetch sends
    const created = new Date(row.created_at).getTime();
    expect(new Date(row.expires_at).getTime() - created).toBe(TTL_SECONDS * 1000);
    expect(new Date(row.last_used_at).getTime()).toBe(created);
  });

  test('an expired session is refused', async () => {
    const user = await registerUser(t.url);
    await t.sql("update sessions set expires_at = now() - interval '1 second' where token_hash = ?", [
      digest(user.token),
    ]);
    const result = await me(user.token);
    expect(result.errors![0]).toMatchObject({
      message: messages.invalidToken,
      extensions: { code: 'UNAUTHENTICATED' },
    });
  });

  test('deleting a user deletes its sessions', async () => {
    const user = await registerUser(t.url);
    await loginUser(t.url, user.username, user.password);
    await t.sql('delete from users where id = ?', [user.id]);
    expect(await t.sql('select id from sessions where user_id = ?', [user.id])).toHaveLength(0);
    expect((await me(user.token)).errors![0].extensions.code).toBe('UNAUTHENTICATED');
  });
});

describe('sliding expiry', () => {
  test('a session used in the second half of its lifetime is extended to a full lifetime', async () => {
    const user = await registerUser(t.url);
    await t.sql("update sessions set expires_at = now() + interval '10 minutes' where token_hash = ?", [
      digest(user.token),
    ]);
    const before = Date.now();
    expect((await me(user.token)).errors).toBeUndefined();
    const expiresAt = new Date((await sessionRow(user.token)).expires_at).getTime();
    expect(expiresAt).toBeGreaterThanOrEqual(before + TTL_SECONDS * 1000 - 1000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + TTL_SECONDS * 1000 + 1000);
  });

  test('requests in the first half of the lifetime write nothing until the touch interval has passed', async () => {
    const user = await registerUser(t.url);
    const recent = new Date(Date.now() - 1000);
    await t.sql('update sessions set last_used_at = ? where token_hash = ?', [recent, digest(user.token)]);
    const untouched = await sessionRow(user.token);
    for (let request = 0; request < 3; request++) expect((await me(user.token)).errors).toBeUndefined();
    const after = await sessionRow(user.token);
    expect(new Date(after.last_used_at).getTime()).toBe(recent.getTime());
    expect(after.expires_at).toEqual(untouched.expires_at);

    const stale = new Date(Date.now() - (TOUCH_SECONDS + 1) * 1000);
    await t.sql('update sessions set last_used_at = ? where token_hash = ?', [stale, digest(user.token)]);
    const before = Date.now();
    await me(user.token);
    const touched = await sessionRow(user.token);
    expect(new Date(touched.last_used_at).getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(touched.expires_at).toEqual(untouched.expires_at);
  });
});

describe('logout', () => {
  test('revokes only the token that made the call', async () => {
    const user = await registerUser(t.url);
    const other = await loginUser(t.url, user.username, user.password);
    const result = await graphql(t.url, LOGOUT, {}, { token: user.token });
    expect(result.data).toEqual({ logout: true });
    expect((await me(user.token)).errors![0].message).toBe(messages.invalidToken);
    expect((await me(other)).data!.me.id).toBe(user.id);
    const again = await graphql(t.url, LOGOUT, {}, { token: user.token });
    expect(again.errors![0]).toMatchObject({ message: messages.invalidToken, extensions: { code: 'UNAUTHENTICATED' } });
  });

  test('needs credentials', async () => {
    const result = await graphql(t.url, LOGOUT);
    expect(result.errors![0]).toMatchObject({
      message: messages.noCredentials,
      extensions: { code: 'UNAUTHENTICATED' },
    });
  });
});

describe('logoutAll', () => {
  test("revokes every session of the caller, returns the count, and leaves other users' alone", async () => {
    const user = await registerUser(t.url);
    const tokens = [
      user.token,
      await loginUser(t.url, user.username, user.password),
      await loginUser(t.url, user.email, user.password),
    ];
    const bystander = await registerUser(t.url);
    const result = await graphql(t.url, LOGOUT_ALL, {}, { token: tokens[1] });
    expect(result.data).toEqual({ logoutAll: 3 });
    for (const token of tokens) expect((await me(token)).errors![0].extensions.code).toBe('UNAUTHENTICATED');
    expect((await me(bystander.token)).data!.me.id).toBe(bystander.id);
    expect(await t.sql('select id from sessions where user_id = ?', [user.id])).toHaveLength(0);
  });

  test('counts only live sessions', async () => {
    const user = await registerUser(t.url);
    const expired = await loginUser(t.url, user.username, user.password);
    await t.sql("update sessions set expires_at = now() - interval '1 minute' where token_hash = ?", [digest(expired)]);
    expect((await graphql(t.url, LOGOUT_ALL, {}, { token: user.token })).data).toEqual({ logoutAll: 1 });
  });
});
