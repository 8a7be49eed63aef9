import { Writable } from 'node:stream';
import { createRemoteJWKSet, jwtVerify, SignJWT } from 'jose';
import { createApp } from '../../src/app';
import { createLogger } from '../../src/logger';
import { rotateSigningKey } from '../../src/modules/auth/signing-key.service';
import { registerUser } from '../support/factories';
import { errorCode, graphql } from '../support/graphql';
import {
  fetchJwks,
  jwksUrl,
  jwtPart,
  loginWithAccess,
  meWithBearer,
  REFRESH_TOKEN,
  serverPrivateKey,
} from '../support/jwt';
import { startTestApp, testConfig, withTestApp, type TestApp } from '../support/test-app';

declare const TEST_DATABASE: 'pglite' | 'postgres';

// Signing keys live in the database: generated at first start, rotated while servers run, sealed
// with SECRET_KEY. Apps run one at a time (PGlite serves one connection), except in the
// two-instance tests, which need PostgreSQL.
const FAST_KEYS = { SIGNING_KEY_POLL_SECONDS: '1', SIGNING_KEY_ACTIVATION_DELAY_SECONDS: '2' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function kidsOf(url: string): Promise<string[]> {
  return (await fetchJwks(url)).keys.map((key) => key.kid!);
}

async function waitFor(check: () => Promise<boolean>, withinMs: number): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > withinMs) throw new Error(`not within ${withinMs} ms`);
    await sleep(100);
  }
  return Date.now() - started;
}

/** Leaves the key table empty, so the next app to start generates a key with its own settings. */
const withoutKeys = async (t: TestApp): Promise<void> => {
  await t.sql('delete from signing_keys');
};

afterAll(() => withTestApp({}, withoutKeys));

test('key rotation while a server runs: published first, signing later, old tokens still verify, then the old key goes', async () => {
  await withTestApp({ ...FAST_KEYS, ACCESS_TOKEN_TTL_SECONDS: '5' }, async (t) => {
    const user = await registerUser(t.url);
    const before = await loginWithAccess(t.url, user.username, user.password);
    const oldKid = jwtPart(before.accessToken, 0).kid;
    const key = await rotateSigningKey(t.app.orm.em, t.app.config.jwt);
    expect(key.activatesAt.getTime() - Date.now()).toBeGreaterThan(1500);
    expect(await waitFor(async () => (await kidsOf(t.url)).includes(key.id), 1500)).toBeLessThanOrEqual(1500);
    if (Date.now() < key.activatesAt.getTime() - 300) {
      const early = await loginWithAccess(t.url, user.username, user.password);
      expect(jwtPart(early.accessToken, 0).kid).toBe(oldKid);
    }
    await sleep(key.activatesAt.getTime() - Date.now() + 50);
    const after = await loginWithAccess(t.url, user.username, user.password);
    expect(jwtPart(after.accessToken, 0).kid).toBe(key.id);
    const jwks = createRemoteJWKSet(jwksUrl(t.url));
    for (const token of [before.accessToken, after.accessToken]) {
      await expect(jwtVerify(token, jwks, { issuer: 'authapi' })).resolves.toBeDefined();
      expect((await meWithBearer(t.url, token)).data!.me.id).toBe(user.id);
    }
    expect(await kidsOf(t.url)).toEqual(expect.arrayContaining([oldKid, key.id]));
    // Retired 2 s after the rotation; its last token expires 5 s later; then it is no longer published.
    await waitFor(async () => !(await kidsOf(t.url)).includes(oldKid), 7000);
    expect(await kidsOf(t.url)).toEqual([key.id]);
  });
});

test('a compromised key: the new key signs at once and tokens of the old one stop verifying', async () => {
  await withTestApp(FAST_KEYS, async (t) => {
    const user = await registerUser(t.url);
    const before = await loginWithAccess(t.url, user.username, user.password);
    // Used once, so that its verified signature is remembered: that must not outlive the key.
    expect((await meWithBearer(t.url, before.accessToken)).data!.me.id).toBe(user.id);
    const key = await rotateSigningKey(t.app.orm.em, t.app.config.jwt, { compromised: true });
    await waitFor(async () => errorCode(await meWithBearer(t.url, before.accessToken)) === 'UNAUTHENTICATED', 1500);
    expect(await kidsOf(t.url)).toEqual([key.id]);
    const after = await loginWithAccess(t.url, user.username, user.password);
    expect(jwtPart(after.accessToken, 0).kid).toBe(key.id);
    expect((await meWithBearer(t.url, after.accessToken)).data!.me.id).toBe(user.id);
  });
});

test('SECRET_KEY seals the private keys at rest; a server without it (or with another) refuses to start', async () => {
  const secret = 'a-test-secret-of-more-than-32-characters!';
  await withTestApp({}, withoutKeys);
  let kid = '';
  await withTestApp({ SECRET_KEY: secret }, async (t) => {
    const [row] = await t.sql('select id, private_key, private_key_encryption from signing_keys');
    expect(row.private_key_encryption).toBe('aes-256-gcm');
    expect(row.private_key).not.toMatch(/"d"|"kty"/);
    kid = row.id;
    const user = await registerUser(t.url);
    const pair = await loginWithAccess(t.url, user.username, user.password);
    expect(jwtPart(pair.accessToken, 0).kid).toBe(kid);
    await expect(jwtVerify(pair.accessToken, createRemoteJWKSet(jwksUrl(t.url)))).resolves.toBeDefined();
  });
  await expect(startTestApp({})).rejects.toThrow(/SECRET_KEY/);
  await expect(startTestApp({ SECRET_KEY: `${secret}-another` })).rejects.toThrow(/SECRET_KEY/);
  await withTestApp({ SECRET_KEY: secret }, async (t) => {
    expect((await kidsOf(t.url))[0]).toBe(kid);
    await withoutKeys(t);
  });
});

test('a production start without SECRET_KEY warns and says what to set', async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const app = await createApp(testConfig({ NODE_ENV: 'production', LOG_LEVEL: 'warn' }), {
    logger: createLogger('warn', sink),
  });
  await app.close();
  expect(lines.join('')).toMatch(/SECRET_KEY is not set.*Set SECRET_KEY/);
});

test('EdDSA by configuration', async () => {
  await withTestApp({}, withoutKeys);
  await withTestApp({ JWT_ALGORITHM: 'EdDSA' }, async (t) => {
    const user = await registerUser(t.url);
    const pair = await loginWithAccess(t.url, user.username, user.password);
    expect(jwtPart(pair.accessToken, 0).alg).toBe('EdDSA');
    const { keys } = await fetchJwks(t.url);
    expect(keys).toEqual([
      { kty: 'OKP', crv: 'Ed25519', x: expect.any(String), kid: expect.any(String), alg: 'EdDSA', use: 'sig' },
    ]);
    await expect(
      jwtVerify(pair.accessToken, createRemoteJWKSet(jwksUrl(t.url)), { algorithms: ['EdDSA'] }),
    ).resolves.toBeDefined();
    expect((await meWithBearer(t.url, pair.accessToken)).data!.me.id).toBe(user.id);
    await withoutKeys(t);
  });
});

test('JWT_AUDIENCE: tokens carry it, and a token without it is refused', async () => {
  await withTestApp(
    { JWT_AUDIENCE: 'https://orders.example.com', JWT_ISSUER: 'https://auth.example.com' },
    async (t) => {
      const user = await registerUser(t.url);
      const pair = await loginWithAccess(t.url, user.username, user.password);
      const { payload } = await jwtVerify(pair.accessToken, createRemoteJWKSet(jwksUrl(t.url)), {
        issuer: 'https://auth.example.com',
        audience: 'https://orders.example.com',
      });
      expect(payload.sub).toBe(user.id);
      const { kid } = jwtPart(pair.accessToken, 0);
      const { aud: _aud, iat: _iat, exp: _exp, ...claims } = jwtPart(pair.accessToken, 1);
      const withoutAudience = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' })
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(await serverPrivateKey(t.sql, kid));
      expect(errorCode(await meWithBearer(t.url, withoutAudience))).toBe('UNAUTHENTICATED');
      expect((await meWithBearer(t.url, pair.accessToken)).data!.me.id).toBe(user.id);
    },
  );
});

(TEST_DATABASE === 'postgres' ? describe : describe.skip)('two instances on one PostgreSQL', () => {
  test('starting together they make one key, and each accepts what the other issued', async () => {
    await withTestApp({}, withoutKeys);
    const [a, b] = await Promise.all([startTestApp(FAST_KEYS), startTestApp(FAST_KEYS)]);
    try {
      expect(await a.sql('select id from signing_keys')).toHaveLength(1);
      expect(await kidsOf(a.url)).toEqual(await kidsOf(b.url));
      const user = await registerUser(a.url);
      const pair = await loginWithAccess(a.url, user.username, user.password);
      expect((await meWithBearer(b.url, pair.accessToken)).data!.me.id).toBe(user.id);
      await expect(jwtVerify(pair.accessToken, createRemoteJWKSet(jwksUrl(b.url)))).resolves.toBeDefined();
      const refreshed = (await graphql(b.url, REFRESH_TOKEN, { token: pair.token })).data!.refreshToken;
      expect((await meWithBearer(a.url, refreshed.accessToken)).data!.me.id).toBe(user.id);

      // A rotation made through one instance (as the CLI does) is published by both, then used by both.
      const key = await rotateSigningKey(a.app.orm.em, a.app.config.jwt);
      await waitFor(async () => (await kidsOf(b.url)).includes(key.id), 1500);
      await sleep(key.activatesAt.getTime() - Date.now() + 50);
      for (const instance of [a, b]) {
        const fresh = await loginWithAccess(instance.url, user.username, user.password);
        expect(jwtPart(fresh.accessToken, 0).kid).toBe(key.id);
        expect((await meWithBearer(a.url, fresh.accessToken)).errors).toBeUndefined();
        expect((await meWithBearer(b.url, fresh.accessToken)).errors).toBeUndefined();
      }
      expect((await meWithBearer(b.url, pair.accessToken)).data!.me.id).toBe(user.id);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
