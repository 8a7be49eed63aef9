import { Writable } from 'node:stream';
import { createApp, type App } from '../../src/app';
import { createLogger } from '../../src/logger';
import { testConfig } from '../support/test-app';

// CORS as a browser meets it, and what the server log says when it refuses an origin. The app
// runs with the development default list of origins (CORS_ORIGINS unset).

let app: App;
let url: string;
let logLines: Record<string, any>[] = [];

beforeAll(async () => {
  const capture = new Writable({
    write(chunk, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) logLines.push(JSON.parse(line));
      done();
    },
  });
  app = await createApp(testConfig({ LOG_LEVEL: 'info' }), { logger: createLogger('info', capture) });
  url = await app.listen();
});
afterAll(() => app.close());
beforeEach(() => {
  logLines = [];
});

function preflight(origin: string, requestHeaders = 'content-type') {
  return fetch(url, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': requestHeaders,
    },
  });
}

function post(origin: string) {
  return fetch(url, {
    method: 'POST',
    headers: { origin, 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
}

const refusalWarnings = (origin: string) =>
  logLines.filter((line) => line.level === 40 && line.origin === origin && /CORS/.test(line.msg));

test.each(['http://localhost:5173', 'http://127.0.0.1:5173', 'http://127.0.0.1:3000', 'http://127.0.0.1:4000'])(
  'the development defaults allow %s',
  async (origin) => {
    const response = await preflight(origin);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(origin);
  },
);

test("Apollo Client's awareness headers pass the preflight", async () => {
  const response = await preflight(
    'http://127.0.0.1:5173',
    'apollographql-client-name, apollographql-client-version, authorization, content-type',
  );
  const allowed = (response.headers.get('access-control-allow-headers') ?? '').split(/,\s*/);
  expect(allowed).toEqual(
    expect.arrayContaining(['apollographql-client-name', 'apollographql-client-version', 'authorization']),
  );
});

test('page scripts may read x-request-id and retry-after', async () => {
  const response = await post('http://localhost:5173');
  expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
  const exposed = (response.headers.get('access-control-expose-headers') ?? '').split(/,\s*/);
  expect(exposed).toEqual(expect.arrayContaining(['x-request-id', 'retry-after']));
});

test('a refused origin is logged at warn with the variable to set, once a minute, and its preflight is marked', async () => {
  const origin = 'https://refused.example';
  const response = await preflight(origin);
  expect(response.headers.get('access-control-allow-origin')).toBeNull();
  const [warning] = refusalWarnings(origin);
  expect(warning).toBeDefined();
  expect(warning.msg).toContain(origin);
  expect(warning.msg).toContain('CORS_ORIGINS');
  // The access line is written when the response closes, which may be just after fetch resolves.
  let access: Record<string, any> | undefined;
  for (let attempt = 0; attempt < 50 && !access; attempt++) {
    access = logLines.find((line) => line.msg === 'request' && line.method === 'OPTIONS');
    if (!access) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(access?.outcome).toBe('CORS_REFUSED');

  // The page retries, and sends the request anyway: no new warning within the minute.
  await preflight(origin);
  expect((await post(origin)).headers.get('access-control-allow-origin')).toBeNull();
  expect(refusalWarnings(origin)).toHaveLength(1);

  // A simple request from another refused origin is logged too.
  await post('https://other.example');
  expect(refusalWarnings('https://other.example')).toHaveLength(1);
});

test("a same-origin request (the explorer's own POST) is not reported as refused", async () => {
  const own = new URL(url).origin;
  const response = await post(own);
  expect(response.status).toBe(200);
  expect(refusalWarnings(own)).toHaveLength(0);
});
