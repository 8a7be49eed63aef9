import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { messages } from '../../src/errors';
import { BODY_LIMIT_BYTES } from '../../src/http/request-handler';
import { LOGIN, LOGOUT, ME, REGISTER, USERS } from '../support/documents';
import { newUserInput, registerUser, type RegisteredUser } from '../support/factories';
import { errorCode, graphql } from '../support/graphql';
import { startTestApp, type TestApp } from '../support/test-app';

// The real node:http server: real headers, real bodies, real status codes.

let t: TestApp;
let observer: RegisteredUser;

beforeAll(async () => {
  t = await startTestApp();
  await t.reset();
  // A second account whose token lets the tests ask whether some user exists.
  observer = await registerUser(t.url);
});
afterAll(() => t.close());

function endpoint(path: string): string {
  return new URL(path, t.url).toString();
}

/** How many users have this exact username (search is a case-insensitive prefix match). */
async function usersNamed(username: string): Promise<number> {
  const result = await graphql(t.url, USERS, { search: username, first: 100 }, { token: observer.token });
  expect(result.errors).toBeUndefined();
  return result.data!.users.nodes.filter((node: { username: string }) => node.username === username).length;
}

/** A well-formed token (43 base64url characters) that no session has. */
function unknownToken(): string {
  return randomBytes(32).toString('base64url');
}

/** A raw node:http request, for what fetch cannot send (e.g. repeated headers). */
function rawRequest(
  method: string,
  path: string,
  headers: Record<string, string | string[]>,
  body?: string,
): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(endpoint(path), { method });
    for (const [name, value] of Object.entries(headers)) req.setHeader(name, value);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

interface ErrorBody {
  errors: { message: string; extensions: { code: string } }[];
}

function expectNoStackTrace(text: string): void {
  expect(text).not.toMatch(/stacktrace/i);
  expect(text).not.toMatch(/\bat .+:\d+:\d+/);
  expect(text).not.toContain('node_modules');
  expect(text).not.toContain('/src/');
}

describe('POST application/json', () => {
  test('register, then me with "Token <t>"', async () => {
    const input = newUserInput();
    const registered = await graphql(t.url, REGISTER, { input });
    expect(registered.status).toBe(200);
    expect(registered.errors).toBeUndefined();
    const token = registered.data!.register.token as string;
    expect(token).toEqual(expect.any(String));

    const me = await graphql(t.url, ME, {}, { headers: { authorization: `Token ${token}` } });
    expect(me.status).toBe(200);
    expect(me.errors).toBeUndefined();
    expect(me.data!.me).toMatchObject({ id: registered.data!.register.user.id, username: input.username });
  });

  test.each(['Bearer', 'bEaReR', 'TOKEN', 'token'])('me accepts the scheme "%s"', async (scheme) => {
    const user = await registerUser(t.url);
    const me = await graphql(t.url, ME, {}, { headers: { authorization: `${scheme} ${user.token}` } });
    expect(me.errors).toBeUndefined();
    expect(me.data!.me).toMatchObject({ id: user.id, username: user.username });
  });

  test('the response is JSON', async () => {
    const response = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/(graphql-response\+)?json/);
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });

  test('an answer is never stored by a browser or a shared cache (cache-control: no-store)', async () => {
    const user = await registerUser(t.url);
    const response = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Token ${user.token}` },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    expect(await response.json()).toEqual({ data: { me: { id: user.id } } });
    expect(response.headers.get('cache-control')).toBe('no-store');
  });
});

describe('GET', () => {
  test('GET /graphql from a browser serves GraphiQL from this server, allowed no other host', async () => {
    const response = await fetch(t.url, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toMatch(/<html/i);
    // The page, or (when the bundle was never built) a page saying how to build it.
    expect(html).toMatch(/graphql\/explorer\/explorer\.js|npm run build/);
    expect(html).not.toMatch(/https?:\/\//);
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("connect-src 'self'");
    expect(policy).toContain("worker-src 'self'");
    expect(policy).not.toMatch(/https?:|upgrade-insecure-requests/);
  });

  test('GET /graphql?sandbox from a browser serves the Apollo Sandbox landing page', async () => {
    const response = await fetch(`${t.url}?sandbox`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toMatch(/apollo/i);
    expect(response.headers.get('content-security-policy')).toContain(
      'https://embeddable-sandbox.cdn.apollographql.com',
    );
  });

  test('the explorer serves only its own files, by plain name', async () => {
    for (const path of [
      '/graphql/explorer/no-such-file.js',
      '/graphql/explorer/..%2F..%2Fpackage.json',
      '/graphql/explorer/../../package.json',
      '/graphql/explorer/%2e%2e/main.js',
      '/graphql/explorer/explorer.exe',
    ]) {
      const response = await rawRequest('GET', path, {});
      expect(response.status).toBe(404);
      expect(response.text).not.toContain('"name"');
    }
  });

  test('GET /healthz answers 200', async () => {
    const response = await fetch(endpoint('/healthz'));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  test('an unknown path answers 404 with a JSON error', async () => {
    const response = await fetch(endpoint('/no-such-path'), { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as ErrorBody;
    expect(body.errors[0].message).toEqual(expect.any(String));
    expect(body.errors[0].extensions.code).toBe('BAD_REQUEST');
  });
});

describe('malformed requests', () => {
  test('malformed JSON answers 400 BAD_REQUEST without a stack trace', async () => {
    const response = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": "{ __typename }",',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const text = await response.text();
    const body = JSON.parse(text);
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0].extensions.code).toBe('BAD_REQUEST');
    expect(body.errors[0].message).toMatch(/JSON/);
    expectNoStackTrace(text);
    expect(text).not.toContain('SyntaxError');
  });

  test('a body over the limit (declared by Content-Length) answers 413 with a JSON error', async () => {
    const padding = 'x'.repeat(BODY_LIMIT_BYTES + 1024);
    const response = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }', variables: { padding } }),
    });
    expect(response.status).toBe(413);
    const body = (await response.json()) as ErrorBody;
    expect(body.errors[0].extensions.code).toBe('BAD_REQUEST');
    expect(body.errors[0].message).toContain(String(BODY_LIMIT_BYTES));
  });

  test('a body over the limit sent without Content-Length (chunked) answers 413 with a JSON error', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(16 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > BODY_LIMIT_BYTES * 2) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const response = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    const body = (await response.json()) as ErrorBody;
    expect(body.errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  test('a body just under the limit is accepted', async () => {
    const query = '{ __typename }';
    const envelope = JSON.stringify({ query, variables: { padding: '' } });
    const padding = 'x'.repeat(BODY_LIMIT_BYTES - envelope.length);
    const body = JSON.stringify({ query, variables: { padding } });
    expect(Buffer.byteLength(body)).toBe(BODY_LIMIT_BYTES);
    const response = await fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });

  test('two Authorization headers answer 400 saying so', async () => {
    const user = await registerUser(t.url);
    const response = await rawRequest(
      'POST',
      '/graphql',
      {
        'content-type': 'application/json',
        authorization: [`Token ${user.token}`, `Token ${unknownToken()}`],
      },
      JSON.stringify({ query: ME }),
    );
    expect(response.status).toBe(400);
    const body = JSON.parse(response.text);
    expect(body.data).toBeUndefined();
    expect(body.errors[0].extensions.code).toBe('BAD_REQUEST');
    expect(body.errors[0].message).toMatch(/Authorization header/i);
  });

  test('one Authorization header over the same raw client is accepted (control)', async () => {
    const user = await registerUser(t.url);
    const response = await rawRequest(
      'POST',
      '/graphql',
      { 'content-type': 'application/json', authorization: [`Token ${user.token}`] },
      JSON.stringify({ query: ME }),
    );
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text).data.me.id).toBe(user.id);
  });
});

describe('CSRF prevention', () => {
  test('a text/plain POST of a mutation is refused and creates no user', async () => {
    const input = newUserInput();
    const response = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: REGISTER, variables: { input } }),
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    const text = await response.text();
    expect(text).not.toContain('"token"');
    expect(await usersNamed(input.username)).toBe(0);
    const login = await graphql(t.url, LOGIN, { input: { username: input.username, password: input.password } });
    expect(errorCode(login)).toBe('UNAUTHENTICATED');
  });

  test('a mutation sent over GET is refused and creates no user', async () => {
    const input = newUserInput();
    const search = new URLSearchParams({ query: REGISTER, variables: JSON.stringify({ input }) });
    const response = await fetch(`${t.url}?${search}`, {
      headers: { 'apollo-require-preflight': 'true', accept: 'application/json' },
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    const text = await response.text();
    expect(text).not.toContain('"token"');
    expect(await usersNamed(input.username)).toBe(0);
  });

  test('a query over GET with a preflight header works (control)', async () => {
    const search = new URLSearchParams({ query: '{ __typename }' });
    const response = await fetch(`${t.url}?${search}`, {
      headers: { 'apollo-require-preflight': 'true', accept: 'application/json' },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });

  test('the same JSON POST creates the user (control)', async () => {
    const input = newUserInput();
    const registered = await graphql(t.url, REGISTER, { input });
    expect(registered.errors).toBeUndefined();
    expect(await usersNamed(input.username)).toBe(1);
  });
});

describe('a stale or garbage Authorization header', () => {
  async function revokedToken(): Promise<string> {
    const user = await registerUser(t.url);
    const logout = await graphql(t.url, LOGOUT, {}, { token: user.token });
    expect(logout.errors).toBeUndefined();
    expect(logout.data!.logout).toBe(true);
    return user.token;
  }

  const headers: [string, () => Promise<string>][] = [
    ['garbage', async () => 'Token garbage'],
    ['an unknown well-formed token', async () => `Token ${unknownToken()}`],
    ['a revoked token', async () => `Token ${await revokedToken()}`],
    ['an unsupported scheme', async () => 'Basic dXNlcjpwYXNz'],
  ];

  test.each(headers)('does not block register or login: %s', async (_name, header) => {
    const authorization = await header();
    const input = newUserInput();
    const registered = await graphql(t.url, REGISTER, { input }, { headers: { authorization } });
    expect(registered.errors).toBeUndefined();
    expect(registered.data!.register.user.username).toBe(input.username);

    const login = await graphql(
      t.url,
      LOGIN,
      { input: { username: input.username, password: input.password } },
      { headers: { authorization } },
    );
    expect(login.errors).toBeUndefined();
    expect(login.data!.login.token).toEqual(expect.any(String));
  });

  test.each(headers)('on me answers UNAUTHENTICATED (invalid token): %s', async (_name, header) => {
    const me = await graphql(t.url, ME, {}, { headers: { authorization: await header() } });
    expect(me.data).toBeNull();
    expect(errorCode(me)).toBe('UNAUTHENTICATED');
    expect(me.errors![0].message).toBe(messages.invalidToken);
  });
});

test('me without a token answers UNAUTHENTICATED (no credentials)', async () => {
  const me = await graphql(t.url, ME);
  expect(me.data).toBeNull();
  expect(errorCode(me)).toBe('UNAUTHENTICATED');
  expect(me.errors![0].message).toBe(messages.noCredentials);
});
