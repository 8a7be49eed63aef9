import { BUILT_IN_PERMISSIONS } from '../../src/modules/permission/built-ins';
import { createHmac } from 'node:crypto';
import { createRemoteJWKSet, exportSPKI, generateKeyPair, importJWK, jwtVerify, SignJWT, type CryptoKey } from 'jose';
import { messages } from '../../src/errors';
import { CHANGE_PASSWORD, LOGOUT, LOGOUT_ALL, REVOKE_SESSION, SESSIONS, SET_USER_ACTIVE } from '../support/documents';
import { newUserInput, registerStaff, registerUser } from '../support/factories';
import { errorCode, graphql } from '../support/graphql';
import {
  CURRENT_SESSION,
  fetchJwks,
  jwksUrl,
  jwtPart,
  loginWithAccess,
  meWithBearer,
  REGISTER_WITH_ACCESS,
  serverPrivateKey,
} from '../support/jwt';
import { startTestApp, type TestApp } from '../support/test-app';

// Access tokens through the public API: issued by login and register, verifiable by anyone with
// the served JWKS, accepted here as bearer tokens only while their session lives.
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  await t.reset();
});
afterAll(() => t.close());

const isRejected = async (jwt: string) => {
  const result = await meWithBearer(t.url, jwt);
  return errorCode(result) === 'UNAUTHENTICATED' && result.errors![0].message === messages.invalidToken;
};

async function currentSessionId(token: string): Promise<string> {
  const result = await graphql(t.url, CURRENT_SESSION, {}, { token });
  return result.data!.sessions.find((session: { current: boolean }) => session.current).id;
}

test('login returns an ES256 access token that verifies against the served JWKS, with the documented claims', async () => {
  const user = await registerUser(t.url);
  const pair = await loginWithAccess(t.url, user.username, user.password);
  const { payload, protectedHeader } = await jwtVerify(pair.accessToken, createRemoteJWKSet(jwksUrl(t.url)), {
    issuer: 'authapi',
    algorithms: ['ES256'],
  });
  expect(protectedHeader).toEqual({ alg: 'ES256', kid: expect.any(String), typ: 'at+jwt' });
  expect(payload).toEqual({
    iss: 'authapi',
    sub: user.id,
    sid: await currentSessionId(pair.token),
    jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
    iat: expect.any(Number),
    exp: payload.iat! + 900,
    username: user.username,
    is_staff: false,
    is_superuser: false,
    perms: [],
  });
  expect(Math.abs(payload.iat! * 1000 - Date.now())).toBeLessThan(10_000);
  expect(new Date(pair.accessTokenExpiresAt).getTime()).toBe(payload.exp! * 1000);
  // Another login gets another token id.
  const again = await loginWithAccess(t.url, user.username, user.password);
  expect(jwtPart(again.accessToken, 1).jti).not.toBe(payload.jti);
});

test('register returns the pair too, for the new session', async () => {
  const input = newUserInput();
  const result = await graphql(t.url, REGISTER_WITH_ACCESS, { input });
  const payload = result.data!.register;
  expect(payload.token).toEqual(expect.any(String));
  expect(payload.accessToken).toEqual(expect.any(String));
  expect(jwtPart(payload.accessToken, 1)).toMatchObject({ sub: payload.user.id, username: input.username });
  expect(new Date(payload.accessTokenExpiresAt).getTime()).toBe(jwtPart(payload.accessToken, 1).exp * 1000);
  expect((await meWithBearer(t.url, payload.accessToken)).data!.me.id).toBe(payload.user.id);
});

test('staff flags are claims; services read them from the token', async () => {
  const staff = await registerStaff(t.url, t.sql, { superuser: true });
  const pair = await loginWithAccess(t.url, staff.username, staff.password);
  // A superuser holds every permission (issue 13), and the claim says so.
  expect(jwtPart(pair.accessToken, 1)).toMatchObject({
    is_staff: true,
    is_superuser: true,
    perms: [...BUILT_IN_PERMISSIONS].sort(),
  });
});

test('a bearer access token works wherever a session token does', async () => {
  const user = await registerUser(t.url);
  const { accessToken } = await loginWithAccess(t.url, user.username, user.password);
  expect((await meWithBearer(t.url, accessToken)).data!.me.id).toBe(user.id);
  const sessions = await graphql(t.url, SESSIONS, {}, { headers: { authorization: `Bearer ${accessToken}` } });
  expect(sessions.data!.sessions).toHaveLength(2);
  // The `Token` scheme takes it as well: the shape tells a JWT from a session token.
  expect((await graphql(t.url, CURRENT_SESSION, {}, { token: accessToken })).errors).toBeUndefined();
});

test('the JWKS: public members only, cacheable, readable from any origin', async () => {
  const response = await fetch(jwksUrl(t.url), { headers: { origin: 'https://orders.example.com' } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(response.headers.get('access-control-allow-origin')).toBe('*');
  expect(response.headers.get('cache-control')).toBe('public, max-age=10');
  const { keys } = (await response.json()) as { keys: Record<string, unknown>[] };
  expect(keys.length).toBeGreaterThanOrEqual(1);
  for (const key of keys) {
    expect(Object.keys(key).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
  }
  const preflight = await fetch(jwksUrl(t.url), {
    method: 'OPTIONS',
    headers: { origin: 'https://orders.example.com', 'access-control-request-method': 'GET' },
  });
  expect(preflight.status).toBe(204);
  expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
});

describe('forged and broken tokens get the usual UNAUTHENTICATED', () => {
  let user: Awaited<ReturnType<typeof registerUser>>;
  let genuine: string;
  let kid: string;
  let serverKey: CryptoKey;
  let claims: Record<string, unknown>;
  beforeAll(async () => {
    user = await registerUser(t.url);
    genuine = (await loginWithAccess(t.url, user.username, user.password)).accessToken;
    kid = jwtPart(genuine, 0).kid;
    serverKey = await serverPrivateKey(t.sql, kid);
    const { iat: _iat, exp: _exp, ...rest } = jwtPart(genuine, 1);
    claims = rest;
  });
  const sign = (key: CryptoKey | Uint8Array, alg: string, body: Record<string, unknown>, expiresIn = '5m') =>
    new SignJWT(body)
      .setProtectedHeader({ alg, kid, typ: 'at+jwt' })
      .setIssuedAt()
      .setExpirationTime(expiresIn)
      .sign(key);

  test('control: a token this test signs with the server key is accepted', async () => {
    expect((await meWithBearer(t.url, await sign(serverKey, 'ES256', claims))).data!.me.id).toBe(user.id);
  });

  test('signed by another key under the same kid', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    expect(await isRejected(await sign(privateKey, 'ES256', claims))).toBe(true);
  });

  test('tampered: the payload changed, the signature kept', async () => {
    const other = await registerUser(t.url);
    const [header, payload, signature] = genuine.split('.');
    const changed = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: other.id }),
    ).toString('base64url');
    expect(await isRejected(`${header}.${changed}.${signature}`)).toBe(true);
    expect(await isRejected(`${header}.${payload}.${signature.slice(0, -2)}AA`)).toBe(true);
  });

  test('alg none, with and without a signature part', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', kid, typ: 'at+jwt' })).toString('base64url');
    const payload = genuine.split('.')[1];
    expect(await isRejected(`${header}.${payload}.`)).toBe(true);
    expect(await isRejected(`${header}.${payload}.${genuine.split('.')[2]}`)).toBe(true);
  });

  test('HS256 keyed with the public key (PEM, JWK and raw forms)', async () => {
    const jwk = (await fetchJwks(t.url)).keys.find((key) => key.kid === kid)!;
    const pem = await exportSPKI((await importJWK(jwk, 'ES256', { extractable: true })) as CryptoKey);
    for (const secret of [pem, JSON.stringify(jwk), `${jwk.x}${jwk.y}`]) {
      expect(await isRejected(await sign(new TextEncoder().encode(secret), 'HS256', claims))).toBe(true);
    }
    // Built by hand too, so that no library check on our side can be what refuses it.
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', kid, typ: 'at+jwt' })).toString('base64url');
    const input = `${header}.${genuine.split('.')[1]}`;
    expect(await isRejected(`${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`)).toBe(true);
  });

  test('expired, wrong issuer, wrong type, unknown session, another user', async () => {
    expect(await isRejected(await sign(serverKey, 'ES256', claims, '-1s'))).toBe(true);
    expect(await isRejected(await sign(serverKey, 'ES256', { ...claims, iss: 'someone-else' }))).toBe(true);
    const wrongType = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid })
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(serverKey);
    expect(await isRejected(wrongType)).toBe(true);
    expect(
      await isRejected(await sign(serverKey, 'ES256', { ...claims, sid: '00000000-0000-4000-8000-000000000000' })),
    ).toBe(true);
    const other = await registerUser(t.url);
    expect(await isRejected(await sign(serverKey, 'ES256', { ...claims, sub: other.id }))).toBe(true);
  });

  test('an unknown kid and garbage', async () => {
    const unknownKid = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'nope', typ: 'at+jwt' })
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(serverKey);
    expect(await isRejected(unknownKid)).toBe(true);
    expect(await isRejected('eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln')).toBe(true);
  });
});

describe('revocation is seen here at once', () => {
  test('logout, by the session token or by the access token itself', async () => {
    const user = await registerUser(t.url);
    const first = await loginWithAccess(t.url, user.username, user.password);
    await graphql(t.url, LOGOUT, {}, { token: first.token });
    expect(await isRejected(first.accessToken)).toBe(true);
    const second = await loginWithAccess(t.url, user.username, user.password);
    const result = await graphql(t.url, LOGOUT, {}, { headers: { authorization: `Bearer ${second.accessToken}` } });
    expect(result.data!.logout).toBe(true);
    expect(await isRejected(second.accessToken)).toBe(true);
    expect(errorCode(await graphql(t.url, CURRENT_SESSION, {}, { token: second.token }))).toBe('UNAUTHENTICATED');
  });

  test('logoutAll and revokeSession', async () => {
    const user = await registerUser(t.url);
    const a = await loginWithAccess(t.url, user.username, user.password);
    const b = await loginWithAccess(t.url, user.username, user.password);
    await graphql(t.url, REVOKE_SESSION, { id: await currentSessionId(b.token) }, { token: a.token });
    expect(await isRejected(b.accessToken)).toBe(true);
    expect(await isRejected(a.accessToken)).toBe(false);
    await graphql(t.url, LOGOUT_ALL, {}, { headers: { authorization: `Bearer ${a.accessToken}` } });
    expect(await isRejected(a.accessToken)).toBe(true);
  });

  test('a password change rejects the other sessions’ access tokens, keeps the caller’s', async () => {
    const user = await registerUser(t.url);
    const mine = await loginWithAccess(t.url, user.username, user.password);
    const other = await loginWithAccess(t.url, user.username, user.password);
    const input = { currentPassword: user.password, newPassword: `${user.password}-New-2` };
    const result = await graphql(
      t.url,
      CHANGE_PASSWORD,
      { input },
      { headers: { authorization: `Bearer ${mine.accessToken}` } },
    );
    expect(result.errors).toBeUndefined();
    expect(await isRejected(other.accessToken)).toBe(true);
    expect(await isRejected(mine.accessToken)).toBe(false);
  });

  test('deactivation by staff', async () => {
    const staff = await registerStaff(t.url, t.sql);
    const user = await registerUser(t.url);
    const pair = await loginWithAccess(t.url, user.username, user.password);
    const result = await graphql(t.url, SET_USER_ACTIVE, { id: user.id, active: false }, { token: staff.token });
    expect(result.errors).toBeUndefined();
    expect(await isRejected(pair.accessToken)).toBe(true);
  });
});
