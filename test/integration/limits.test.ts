import { messages } from '../../src/errors';
import { LOGIN, ME } from '../support/documents';
import { registerUser } from '../support/factories';
import { errorCode, graphql } from '../support/graphql';
import { startTestApp, withTestApp as withApp, type TestApp } from '../support/test-app';

describe('GraphQL limits (each a 400 with a code, never a 500)', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp();
    await t.reset();
    token = (await registerUser(t.url)).token;
  });
  afterAll(() => t.close());

  test('depth', async () => {
    const deep = `{ users { nodes { id } pageInfo { endCursor } } }`;
    expect((await graphql(t.url, deep, {}, { token })).errors).toBeUndefined();
    let tooDeep = 'id';
    for (let level = 0; level < 9; level++) tooDeep = `me { ${tooDeep} }`;
    const result = await graphql(t.url, `{ ${tooDeep} }`, {}, { token });
    expect(result.status).toBe(400);
    expect(errorCode(result)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(result.errors![0].message).toMatch(/depth/i);
  });

  test('aliases: 15 pass, 16 are refused', async () => {
    const aliases = (count: number) =>
      `{ ${Array.from({ length: count }, (_, index) => `a${index}: me { id }`).join(' ')} }`;
    expect((await graphql(t.url, aliases(15), {}, { token })).errors).toBeUndefined();
    const result = await graphql(t.url, aliases(16), {}, { token });
    expect(result.status).toBe(400);
    expect(errorCode(result)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(result.errors![0].message).toMatch(/alias/i);
  });

  test('tokens: more than 1000 is a parse error', async () => {
    const fields = Array.from({ length: 600 }, () => '__typename').join(' ');
    const result = await graphql(t.url, `{ ${fields} ${fields} }`, {}, { token });
    expect(result.status).toBe(400);
    expect(errorCode(result)).toBe('GRAPHQL_PARSE_FAILED');
    expect(result.errors![0].message).toMatch(/1000 tokens/);
  });

  test('directives', async () => {
    const directives = Array.from({ length: 51 }, () => '@include(if: true)').join(' ');
    const result = await graphql(t.url, `{ me ${directives} { id } }`, {}, { token });
    expect(result.status).toBe(400);
    expect(errorCode(result)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(result.errors![0].message).toMatch(/directive/i);
  });

  test('cost', async () => {
    const wide = `users(first: 100) { nodes { id username firstName lastName email isStaff isActive dateJoined daysCount } }`;
    const query = `{ ${Array.from({ length: 15 }, (_, index) => `u${index}: ${wide}`).join(' ')} }`;
    const result = await graphql(t.url, query, {}, { token });
    expect(result.status).toBe(400);
    expect(errorCode(result)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(result.errors![0].message).toMatch(/cost/i);
  });

  test('field suggestions appear in development only', async () => {
    const result = await graphql(t.url, '{ mee { id } }', {}, { token });
    expect(errorCode(result)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(result.errors![0].message).toMatch(/Did you mean/);
  });

  test('security headers on every response, JSON or error', async () => {
    for (const response of [
      await fetch(t.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: ME }),
      }),
      await fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{oops' }),
      await fetch(t.url.replace('/graphql', '/nowhere')),
    ]) {
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(response.headers.get('strict-transport-security')).toMatch(/max-age=/);
      expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(response.headers.get('x-powered-by')).toBeNull();
    }
  });
});

describe('CORS', () => {
  test('allowed origins get CORS headers and a preflight answer; others get none', async () => {
    await withApp({ CORS_ORIGINS: 'https://app.example.com' }, async (t) => {
      const preflight = await fetch(t.url, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://app.example.com',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type',
        },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
      expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
      expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();

      const post = await fetch(t.url, {
        method: 'POST',
        headers: { origin: 'https://app.example.com', 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(post.headers.get('access-control-allow-origin')).toBe('https://app.example.com');

      const stranger = await fetch(t.url, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
      expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
    });
  });
});

describe('production', () => {
  test('no introspection, no explorer or landing page, no suggestions, no CORS by default', async () => {
    await withApp({ NODE_ENV: 'production' }, async (t) => {
      const introspection = await graphql(t.url, '{ __schema { types { name } } }');
      expect(introspection.status).toBe(400);
      expect(errorCode(introspection)).toBe('GRAPHQL_VALIDATION_FAILED');
      const landing = await fetch(t.url, { headers: { accept: 'text/html' } });
      expect(landing.headers.get('content-type') ?? '').not.toContain('text/html');
      const explorerFile = await fetch(`${t.url}/explorer/explorer.js`);
      expect(explorerFile.status).toBe(404);
      expect(explorerFile.headers.get('content-type')).toMatch(/^application\/json/);
      const typo = await graphql(t.url, '{ mee { id } }');
      expect(typo.errors![0].message).not.toMatch(/Did you mean/);
      const cors = await fetch(t.url, { method: 'OPTIONS', headers: { origin: 'http://localhost:3000' } });
      expect(cors.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  test('GRAPHQL_INTROSPECTION=true turns introspection back on', async () => {
    await withApp({ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true' }, async (t) => {
      expect((await graphql(t.url, '{ __schema { queryType { name } } }')).errors).toBeUndefined();
    });
  });
});

describe('bounded hashing', () => {
  test('when the hashing queue is full, login answers TOO_MANY_REQUESTS at once', async () => {
    await withApp({ HASH_CONCURRENCY: '1', HASH_QUEUE_MAX: '1', BCRYPT_COST: '10' }, async (t) => {
      // Six accounts: attempts on one account wait their turn instead (see abuse.test.ts).
      const users = [];
      for (let index = 0; index < 6; index++) users.push(await registerUser(t.url));
      const attempts = await Promise.all(
        users.map((user) => graphql(t.url, LOGIN, { input: { username: user.username, password: user.password } })),
      );
      const busy = attempts.filter((result) => errorCode(result) === 'TOO_MANY_REQUESTS');
      const served = attempts.filter((result) => !result.errors);
      expect(served.length).toBeGreaterThanOrEqual(2);
      expect(busy.length).toBeGreaterThanOrEqual(1);
      for (const result of busy) {
        expect(result.errors![0]).toMatchObject({ message: messages.busy, extensions: { retryAfter: 1 } });
      }
    });
  });
});
