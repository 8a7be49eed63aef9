import bcrypt from 'bcrypt';
import { messages } from '../../src/errors';
import { LOGIN, REGISTER } from '../support/documents';
import { newUserInput, registerUser } from '../support/factories';
import { errorCode, graphql, type GraphQLResult } from '../support/graphql';
import { startTestApp, withTestApp as withApp, type TestApp } from '../support/test-app';

declare const TEST_DATABASE: 'pglite' | 'postgres';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function loginFrom(t: TestApp, ip: string | null, username: string, password: string) {
  return graphql(t.url, LOGIN, { input: { username, password } }, ip ? { headers: { 'x-forwarded-for': ip } } : {});
}

function expectThrottled(result: GraphQLResult, retryAfter?: number) {
  expect(result.errors![0].extensions.code).toBe('TOO_MANY_REQUESTS');
  const seconds = result.errors![0].extensions.retryAfter as number;
  expect(seconds).toBeGreaterThanOrEqual(1);
  if (retryAfter !== undefined) expect(seconds).toBe(retryAfter);
  expect(result.errors![0].message).toBe(messages.tooManyRequests(seconds));
}

afterEach(() => jest.restoreAllMocks());

// The throttle is the same code on either store; with TEST_REDIS_URL the delay test also runs on Redis.
const stores: [string, Record<string, string>][] = [['PostgreSQL store', {}]];
if (process.env.TEST_REDIS_URL) stores.push(['Redis store', { REDIS_URL: process.env.TEST_REDIS_URL }]);

describe.each(stores)('progressive delay per account and IP (%s)', (_, storeEnv) => {
  test('after 5 failures: TOO_MANY_REQUESTS without hashing, doubling delays, other IPs unaffected, success resets', async () => {
    await withApp({ TRUST_PROXY: '1', ...storeEnv }, async (t) => {
      const user = await registerUser(t.url);
      for (let failure = 1; failure <= 5; failure++) {
        expect(errorCode(await loginFrom(t, '203.0.113.1', user.username, 'Wrong-Password-1'))).toBe('UNAUTHENTICATED');
      }
      const compare = jest.spyOn(bcrypt, 'compare');
      expectThrottled(await loginFrom(t, '203.0.113.1', user.username, user.password), 1);
      // The email names the same account.
      expectThrottled(await loginFrom(t, '203.0.113.1', user.email.toUpperCase(), user.password));
      expect(compare).not.toHaveBeenCalled();
      // Another address is not held up by this one's failures.
      expect((await loginFrom(t, '203.0.113.2', user.username, user.password)).errors).toBeUndefined();

      await sleep(1100);
      expect(errorCode(await loginFrom(t, '203.0.113.1', user.username, 'Wrong-Password-2'))).toBe('UNAUTHENTICATED');
      expectThrottled(await loginFrom(t, '203.0.113.1', user.username, user.password), 2);
      await sleep(2100);
      expect((await loginFrom(t, '203.0.113.1', user.username, user.password)).errors).toBeUndefined();
      // Reset: four more failures are allowed before the next delay.
      for (let failure = 1; failure <= 4; failure++) {
        expect(errorCode(await loginFrom(t, '203.0.113.1', user.username, 'Wrong-Password-3'))).toBe('UNAUTHENTICATED');
      }
      expect((await loginFrom(t, '203.0.113.1', user.username, user.password)).errors).toBeUndefined();
    });
  });
});

describe('client address', () => {
  test('X-Forwarded-For is ignored unless TRUST_PROXY says so', async () => {
    await withApp({}, async (t) => {
      const user = await registerUser(t.url);
      for (let failure = 1; failure <= 5; failure++) {
        const result = await loginFrom(t, `198.51.100.${failure}`, user.username, 'Wrong-Password-1');
        expect(errorCode(result)).toBe('UNAUTHENTICATED');
      }
      expectThrottled(await loginFrom(t, '198.51.100.99', user.username, user.password));
    });
  });

  test('behind one trusted proxy only the entry it appended counts', async () => {
    await withApp({ TRUST_PROXY: '1' }, async (t) => {
      const user = await registerUser(t.url);
      for (let failure = 1; failure <= 5; failure++) {
        // The client forges the left part; the proxy appended the real address on the right.
        const forged = `10.9.9.${failure}, 192.0.2.7`;
        expect(errorCode(await loginFrom(t, forged, user.username, 'Wrong-Password-1'))).toBe('UNAUTHENTICATED');
      }
      expectThrottled(await loginFrom(t, '10.9.9.200, 192.0.2.7', user.username, user.password));
    });
  });
});

describe('caps', () => {
  test('failures per account across all IPs, unknown accounts included', async () => {
    await withApp({ TRUST_PROXY: '1', LOGIN_FAILURES_PER_ACCOUNT: '3' }, async (t) => {
      for (const name of ['nobody-here', (await registerUser(t.url)).username]) {
        for (let ip = 1; ip <= 3; ip++) {
          expect(errorCode(await loginFrom(t, `192.0.2.${ip}`, name, 'Wrong-Password-1'))).toBe('UNAUTHENTICATED');
        }
        expectThrottled(await loginFrom(t, '192.0.2.50', name, 'Wrong-Password-1'));
      }
    });
  });

  test('failed logins per IP across accounts', async () => {
    await withApp({ TRUST_PROXY: '1', LOGIN_FAILURES_PER_IP: '4' }, async (t) => {
      const user = await registerUser(t.url);
      for (let account = 1; account <= 4; account++) {
        expect(errorCode(await loginFrom(t, '192.0.2.9', `someone${account}`, 'Wrong-Password-1'))).toBe(
          'UNAUTHENTICATED',
        );
      }
      expectThrottled(await loginFrom(t, '192.0.2.9', user.username, user.password));
      expect((await loginFrom(t, '192.0.2.10', user.username, user.password)).errors).toBeUndefined();
    });
  });

  test('a successful login refunds its own attempt', async () => {
    await withApp({ TRUST_PROXY: '1', LOGIN_FAILURES_PER_IP: '2' }, async (t) => {
      const user = await registerUser(t.url);
      for (let round = 0; round < 4; round++) {
        expect((await loginFrom(t, '192.0.2.11', user.username, user.password)).errors).toBeUndefined();
      }
    });
  });

  test('registrations per IP', async () => {
    await withApp(
      { TRUST_PROXY: '1', REGISTRATIONS_PER_IP: '3', REGISTRATIONS_PER_IP_WINDOW_SECONDS: '600' },
      async (t) => {
        const register = (ip: string) =>
          graphql(t.url, REGISTER, { input: newUserInput() }, { headers: { 'x-forwarded-for': ip } });
        for (let account = 1; account <= 3; account++) expect((await register('192.0.2.20')).errors).toBeUndefined();
        const refused = await register('192.0.2.20');
        expectThrottled(refused);
        expect(refused.errors![0].extensions.retryAfter).toBeGreaterThan(590);
        expect((await register('192.0.2.21')).errors).toBeUndefined();
      },
    );
  });
});

describe('one password operation per request', () => {
  test('aliases, fragments and mixes are refused before any hashing', async () => {
    await withApp({}, async (t) => {
      const user = await registerUser(t.url);
      const compare = jest.spyOn(bcrypt, 'compare');
      const hash = jest.spyOn(bcrypt, 'hash');
      const credentials = { username: user.username, password: 'Wrong-Password-1' };
      const documents = [
        `mutation ($a: LoginInput!, $b: LoginInput!) { a: login(input: $a) { token } b: login(input: $b) { token } }`,
        `mutation ($a: LoginInput!, $b: LoginInput!) { ...One ... on Mutation { b: login(input: $b) { token } } }
         fragment One on Mutation { a: login(input: $a) { token } }`,
        `mutation ($a: LoginInput!, $b: LoginInput!) { login(input: $a) { token } changePassword(input: { currentPassword: "x", newPassword: "y" }) }`,
      ];
      for (const document of documents) {
        const result = await graphql(t.url, document, { a: credentials, b: credentials });
        expect(result.status).toBe(400);
        expect(result.errors![0]).toMatchObject({
          message: messages.oneSensitiveOperation,
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        });
      }
      expect(compare).not.toHaveBeenCalled();
      expect(hash).not.toHaveBeenCalled();
    });
  });

  test('batched requests are refused', async () => {
    await withApp({}, async (t) => {
      const response = await fetch(t.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([
          { query: LOGIN, variables: { input: { username: 'a', password: 'b' } } },
          { query: LOGIN, variables: { input: { username: 'a', password: 'c' } } },
        ]),
      });
      expect(response.status).toBe(400);
    });
  });
});

// Two instances on one database are one service. (Embedded PGlite belongs to one process, so
// this runs on the PostgreSQL server.)
(TEST_DATABASE === 'postgres' ? test : test.skip)('two server instances share the limits', async () => {
  const first = await startTestApp({ TRUST_PROXY: '1' });
  const second = await startTestApp({ TRUST_PROXY: '1' });
  try {
    await first.reset();
    const user = await registerUser(first.url);
    for (let failure = 1; failure <= 5; failure++) {
      const instance = failure % 2 ? first : second;
      expect(errorCode(await loginFrom(instance, '203.0.113.77', user.username, 'Wrong-Password-1'))).toBe(
        'UNAUTHENTICATED',
      );
    }
    expectThrottled(await loginFrom(second, '203.0.113.77', user.username, user.password));
    expectThrottled(await loginFrom(first, '203.0.113.77', user.username, user.password));
  } finally {
    await second.close();
    await first.close();
  }
});
