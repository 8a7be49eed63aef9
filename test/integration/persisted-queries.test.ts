import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { createApp, type App } from '../../src/app';
import { createLogger } from '../../src/logger';
import { testConfig } from '../support/test-app';

// Automatic persisted queries (APQ): off unless GRAPHQL_PERSISTED_QUERIES is set. Whatever a
// client sends in the persistedQuery extension, it gets a client error code, never a 5xx or
// INTERNAL_SERVER_ERROR, and nothing at warn level or above reaches the log.

const QUERY = '{ __typename }';
const HASH = createHash('sha256').update(QUERY).digest('hex');

// Each body is sent as is: the odd shapes are the point.
const GARBAGE: [string, unknown][] = [
  [
    'a hash that does not match the query',
    { query: QUERY, extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } },
  ],
  [
    'an unknown version, with the query',
    { query: QUERY, extensions: { persistedQuery: { version: 2, sha256Hash: HASH } } },
  ],
  ['an unknown version, hash only', { extensions: { persistedQuery: { version: 99, sha256Hash: HASH } } }],
  ['a version that is a string', { query: QUERY, extensions: { persistedQuery: { version: '1', sha256Hash: HASH } } }],
  [
    'a hash that is not a string',
    { query: QUERY, extensions: { persistedQuery: { version: 1, sha256Hash: { a: 1 } } } },
  ],
  ['no hash and no query', { extensions: { persistedQuery: { version: 1 } } }],
  ['a hash that is an object, without the query', { extensions: { persistedQuery: { version: 1, sha256Hash: [1] } } }],
  ['an extension that is a string', { query: QUERY, extensions: { persistedQuery: 'yes' } }],
];

interface Started {
  app: App;
  url: string;
  logs: () => Record<string, any>[];
}

async function start(env: Record<string, string>): Promise<Started> {
  let text = '';
  const capture = new Writable({
    write(chunk, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  const app = await createApp(testConfig({ LOG_LEVEL: 'trace', ...env }), { logger: createLogger('trace', capture) });
  const url = await app.listen();
  const logs = () =>
    text
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  return { app, url, logs };
}

async function post(url: string, body: unknown) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
  return { status: response.status, codes: (json.errors ?? []).map((error) => error.extensions?.code), json };
}

function expectQuiet(started: Started): void {
  expect(started.logs().filter((line) => line.level >= 40)).toEqual([]);
}

describe('by default, APQ is off', () => {
  let server: Started;
  beforeAll(async () => {
    server = await start({});
  });
  afterAll(() => server.app.close());

  test.each(GARBAGE)('%s: a client error', async (_name, body) => {
    const result = await post(server.url, body);
    expect(result.status).toBeLessThan(500);
    expect(result.codes).toHaveLength(1);
    expect(['PERSISTED_QUERY_NOT_SUPPORTED', 'BAD_REQUEST']).toContain(result.codes[0]);
  });

  test('a well-formed persisted query is answered PERSISTED_QUERY_NOT_SUPPORTED', async () => {
    const extensions = { persistedQuery: { version: 1, sha256Hash: HASH } };
    expect((await post(server.url, { extensions })).codes).toEqual(['PERSISTED_QUERY_NOT_SUPPORTED']);
    expect((await post(server.url, { query: QUERY, extensions })).codes).toEqual(['PERSISTED_QUERY_NOT_SUPPORTED']);
  });

  test('a null extension is ignored', async () => {
    const result = await post(server.url, { query: QUERY, extensions: { persistedQuery: null } });
    expect(result.json).toEqual({ data: { __typename: 'Query' } });
  });

  test('nothing at warn level or above was logged', () => expectQuiet(server));
});

describe('with GRAPHQL_PERSISTED_QUERIES=true', () => {
  let server: Started;
  beforeAll(async () => {
    server = await start({ GRAPHQL_PERSISTED_QUERIES: 'true' });
  });
  afterAll(() => server.app.close());

  test.each(GARBAGE)('%s: a client error', async (_name, body) => {
    const result = await post(server.url, body);
    expect(result.status).toBeGreaterThanOrEqual(200);
    expect(result.status).toBeLessThan(500);
    expect(result.codes).toHaveLength(1);
    expect(['BAD_REQUEST', 'PERSISTED_QUERY_NOT_FOUND']).toContain(result.codes[0]);
  });

  test('the two garbage cases of issue 11 are BAD_REQUEST with HTTP 400', async () => {
    for (const [, body] of GARBAGE.slice(0, 2)) {
      const result = await post(server.url, body);
      expect(result).toMatchObject({ status: 400, codes: ['BAD_REQUEST'] });
    }
  });

  test('a real APQ exchange works: unknown hash, then hash and query, then the hash alone', async () => {
    const extensions = { persistedQuery: { version: 1, sha256Hash: HASH } };
    expect((await post(server.url, { extensions })).codes).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    expect((await post(server.url, { query: QUERY, extensions })).json).toEqual({ data: { __typename: 'Query' } });
    expect((await post(server.url, { extensions })).json).toEqual({ data: { __typename: 'Query' } });
  });

  test('nothing at warn level or above was logged', () => expectQuiet(server));
});
