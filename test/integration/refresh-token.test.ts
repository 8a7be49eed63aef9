import { messages } from '../../src/errors';
import { ME } from '../support/documents';
import { registerUser } from '../support/factories';
import { errorCode, graphql } from '../support/graphql';
import { CURRENT_SESSION, jwtPart, loginWithAccess, meWithBearer, REFRESH_TOKEN } from '../support/jwt';
import { startTestApp, withTestApp, type TestApp } from '../support/test-app';

// refreshToken: rotation of the session token, its grace period, and reuse revoking the session.
// (PGlite serves one connection: the shared app closes before the tests that start their own.)
let t: TestApp;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const refresh = (url: string, token: string) => graphql(url, REFRESH_TOKEN, { token });
const meWith = (url: string, token: string) => graphql(url, ME, {}, { token });

async function sessionIdOf(url: string, token: string): Promise<string> {
  const result = await graphql(url, CURRENT_SESSION, {}, { token });
  return result.data!.sessions.find((session: { current: boolean }) => session.current).id;
}

describe('with the default grace period', () => {
  beforeAll(async () => {
    t = await startTestApp();
    await t.reset();
  });
  afterAll(() => t.close());

  test('a refresh returns a new token of the same session and a new access token', async () => {
    const user = await registerUser(t.url);
    const pair = await loginWithAccess(t.url, user.username, user.password);
    const sessionId = await sessionIdOf(t.url, pair.token);
    const result = await refresh(t.url, pair.token);
    expect(result.errors).toBeUndefined();
    const refreshed = result.data!.refreshToken;
    expect(refreshed.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(refreshed.token).not.toBe(pair.token);
    expect(refreshed.user).toEqual({ id: user.id, username: user.username });
    expect(jwtPart(refreshed.accessToken, 1)).toMatchObject({ sub: user.id, sid: sessionId });
    expect(jwtPart(refreshed.accessToken, 1).jti).not.toBe(jwtPart(pair.accessToken, 1).jti);
    expect(await sessionIdOf(t.url, refreshed.token)).toBe(sessionId);
    expect((await meWithBearer(t.url, refreshed.accessToken)).data!.me.id).toBe(user.id);
    // The earlier access token names the same, still live session.
    expect((await meWithBearer(t.url, pair.accessToken)).data!.me.id).toBe(user.id);
    // The database keeps digests only.
    const [row] = await t.sql('select token_hash, previous_token_hash from sessions where id = ?', [sessionId]);
    expect(row.previous_token_hash).toHaveLength(32);
    expect(Buffer.from(row.token_hash).toString('base64url')).not.toBe(refreshed.token);
  });

  test('within the grace period the retired token still works, and refreshing it again gives the same successor', async () => {
    const user = await registerUser(t.url);
    const first = await refresh(t.url, user.token);
    const second = await refresh(t.url, user.token);
    expect(second.errors).toBeUndefined();
    expect(second.data!.refreshToken.token).toBe(first.data!.refreshToken.token);
    expect((await meWith(t.url, user.token)).data!.me.id).toBe(user.id);
    expect((await meWith(t.url, first.data!.refreshToken.token)).data!.me.id).toBe(user.id);
    // The chain goes on from the successor.
    const third = await refresh(t.url, first.data!.refreshToken.token);
    expect(third.data!.refreshToken.token).not.toBe(first.data!.refreshToken.token);
    expect((await meWith(t.url, third.data!.refreshToken.token)).data!.me.id).toBe(user.id);
  });

  test('two tabs refreshing at once both succeed, with the same token', async () => {
    const user = await registerUser(t.url);
    const results = await Promise.all([refresh(t.url, user.token), refresh(t.url, user.token)]);
    for (const result of results) expect(result.errors).toBeUndefined();
    expect(results[0].data!.refreshToken.token).toBe(results[1].data!.refreshToken.token);
  });

  test('unknown, malformed, revoked tokens and access tokens are UNAUTHENTICATED', async () => {
    const user = await registerUser(t.url);
    const pair = await loginWithAccess(t.url, user.username, user.password);
    for (const token of ['', 'garbage', 'A'.repeat(43), pair.accessToken]) {
      const result = await refresh(t.url, token);
      expect(errorCode(result)).toBe('UNAUTHENTICATED');
      expect(result.errors![0].message).toBe(messages.invalidToken);
      expect(result.errors![0].extensions.reason).toBe('INVALID_TOKEN');
    }
    await graphql(
      t.url,
      `
        mutation {
          logout
        }
      `,
      {},
      { token: pair.token },
    );
    expect(errorCode(await refresh(t.url, pair.token))).toBe('UNAUTHENTICATED');
  });

  test('a session-mode client that never refreshes is unaffected', async () => {
    const user = await registerUser(t.url);
    for (let index = 0; index < 3; index++) expect((await meWith(t.url, user.token)).data!.me.id).toBe(user.id);
    const [row] = await t.sql('select previous_token_hash from sessions where user_id = ?', [user.id]);
    expect(row.previous_token_hash).toBeNull();
  });
});

describe('reuse after the grace period revokes the whole session', () => {
  test('presented as a bearer token (TOKEN_ROTATION_GRACE_SECONDS=1)', async () => {
    await withTestApp({ TOKEN_ROTATION_GRACE_SECONDS: '1' }, async (app) => {
      const user = await registerUser(app.url);
      const pair = await loginWithAccess(app.url, user.username, user.password);
      const refreshed = (await refresh(app.url, pair.token)).data!.refreshToken;
      expect((await meWith(app.url, pair.token)).data!.me.id).toBe(user.id);
      await sleep(1100);
      const reused = await meWith(app.url, pair.token);
      expect(errorCode(reused)).toBe('UNAUTHENTICATED');
      // Everything of that session is gone: the current token and its access tokens too.
      expect(errorCode(await meWith(app.url, refreshed.token))).toBe('UNAUTHENTICATED');
      expect(errorCode(await meWithBearer(app.url, refreshed.accessToken))).toBe('UNAUTHENTICATED');
      expect(errorCode(await meWithBearer(app.url, pair.accessToken))).toBe('UNAUTHENTICATED');
      // Other sessions of the user live on.
      expect((await meWith(app.url, user.token)).data!.me.id).toBe(user.id);
    });
  });

  test('presented to refreshToken (TOKEN_ROTATION_GRACE_SECONDS=0)', async () => {
    await withTestApp({ TOKEN_ROTATION_GRACE_SECONDS: '0' }, async (app) => {
      const user = await registerUser(app.url);
      const refreshed = (await refresh(app.url, user.token)).data!.refreshToken;
      expect((await meWith(app.url, refreshed.token)).data!.me.id).toBe(user.id);
      const reused = await refresh(app.url, user.token);
      expect(errorCode(reused)).toBe('UNAUTHENTICATED');
      expect(errorCode(await meWith(app.url, refreshed.token))).toBe('UNAUTHENTICATED');
      expect(errorCode(await meWithBearer(app.url, refreshed.accessToken))).toBe('UNAUTHENTICATED');
      expect(await app.sql('select id from sessions where user_id = ?', [user.id])).toEqual([]);
    });
  });
});
