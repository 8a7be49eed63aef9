import { Writable } from 'node:stream';
import { createApp, type App } from '../../src/app';
import { messages } from '../../src/errors';
import { createLogger } from '../../src/logger';
import { LOGIN, ME, REGISTER, UPDATE_PROFILE, USERS } from '../support/documents';
import { newUserInput, registerUser, type RegisteredUser } from '../support/factories';
import { errorCode, fieldErrors, graphql, type GraphQLResult } from '../support/graphql';
import { testConfig } from '../support/test-app';

// NUL and other C0 control characters are refused at the boundary with BAD_USER_INPUT naming the
// field, before any resolver or SQL; and nothing about them (the value, the SQL, its parameters)
// reaches the log, which is captured here at trace level.

let app: App;
let url: string;
let logs = '';
let viewer: RegisteredUser;

// Each value carries a marker that must never be echoed, in a response or a log line.
const MARKER = 'Marker-5c1e';
const nul = (text: string) => `${text}\u0000${MARKER}`;

beforeAll(async () => {
  const capture = new Writable({
    write(chunk, _encoding, done) {
      logs += chunk.toString();
      done();
    },
  });
  app = await createApp(testConfig({ LOG_LEVEL: 'trace' }), { logger: createLogger('trace', capture) });
  url = await app.listen();
  await app.orm.em.getConnection().execute('truncate table users, rate_limits cascade');
  viewer = await registerUser(url);
});
afterAll(() => app.close());

function expectRefused(result: GraphQLResult, field: string): void {
  expect(result.status).toBe(400);
  expect(result.data).toBeUndefined();
  expect(errorCode(result)).toBe('BAD_USER_INPUT');
  expect(fieldErrors(result)).toEqual({ [field]: [messages.controlCharacter] });
  expect(result.text).not.toContain(MARKER);
}

/** A body JSON.stringify cannot write (too deep, or with `__proto__` keys), as the viewer. */
async function postRaw(body: string): Promise<GraphQLResult> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Token ${viewer.token}` },
    body,
  });
  const text = await response.text();
  return { status: response.status, data: undefined, ...JSON.parse(text), text };
}

/** No warning or error line at all, and no line that carries a submitted value. */
function expectQuietLogs(): void {
  const lines = logs
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  expect(lines.filter((line) => line.level >= 40)).toEqual([]);
  expect(logs).not.toContain(MARKER);
  expect(logs).not.toMatch(/\\u0000|\bselect\b|\bupdate users\b/i);
}

describe('a NUL byte in a variable', () => {
  test('login: BAD_USER_INPUT on username, no password check counted', async () => {
    expectRefused(await graphql(url, LOGIN, { input: { username: nul('alice'), password: 'whatever' } }), 'username');
    expectRefused(
      await graphql(url, LOGIN, { input: { username: viewer.username, password: nul(viewer.password) } }),
      'password',
    );
    // The right password still works: the refusals were not failed logins.
    const ok = await graphql(url, LOGIN, { input: { username: viewer.username, password: viewer.password } });
    expect(ok.errors).toBeUndefined();
  });

  test('register: each offending field is named, and no account is created', async () => {
    const input = newUserInput({ username: nul('bob'), firstName: nul('Bob'), lastName: 'Plain' });
    const result = await graphql(url, REGISTER, { input });
    expect(result.status).toBe(400);
    expect(fieldErrors(result)).toEqual({
      username: [messages.controlCharacter],
      firstName: [messages.controlCharacter],
    });
    expect(result.text).not.toContain(MARKER);
    const [{ count }] = await app.orm.em
      .getConnection()
      .execute<{ count: string }[]>('select count(*) as count from users where email = ?', [input.email]);
    expect(Number(count)).toBe(0);
  });

  test('users(search:) as a variable and as an inline literal', async () => {
    expectRefused(await graphql(url, USERS, { search: nul('ab') }, { token: viewer.token }), 'search');
    const inline = `{ users(search: "ab\\u0000${MARKER}") { totalCount } }`;
    expectRefused(await graphql(url, inline, {}, { token: viewer.token }), 'search');
  });

  test('updateProfile: refused, and the profile is unchanged', async () => {
    expectRefused(
      await graphql(url, UPDATE_PROFILE, { input: { lastName: nul('Smith') } }, { token: viewer.token }),
      'lastName',
    );
    const me = await graphql(url, ME, {}, { token: viewer.token });
    expect(me.data!.me.lastName).toBe('');
  });
});

describe('other control characters, in variables and literals', () => {
  test.each(['\u0001', '\u0008', '\u000b', '\u001b', '\u001f'])('%j is refused', async (character) => {
    const result = await graphql(url, LOGIN, { input: { username: `a${character}${MARKER}`, password: 'x' } });
    expectRefused(result, 'username');
  });

  test('in an inline input object, a list, a variable default', async () => {
    const literal = `mutation { login(input: { username: "x\\u0007${MARKER}", password: "p" }) { token } }`;
    expectRefused(await graphql(url, literal), 'username');
    const withDefault = `query Q($s: String = "x\\u0000${MARKER}") { users(search: $s) { totalCount } }`;
    expectRefused(await graphql(url, withDefault, {}, { token: viewer.token }), 's');
    // A variable that the operation does not use is checked too; an odd key is not echoed.
    expectRefused(await graphql(url, USERS, { extra: [[nul('deep')]] }, { token: viewer.token }), 'extra');
    expectRefused(
      await graphql(url, USERS, { [`k\u0000${MARKER}`]: nul('v') }, { token: viewer.token }),
      'nonFieldErrors',
    );
    const proto = `{"__proto__":{"__proto__":${JSON.stringify(nul('v'))}}}`;
    expectRefused(await postRaw(`{"query":${JSON.stringify(USERS)},"variables":${proto}}`), 'nonFieldErrors');
  });

  test('an unknown operationName is not echoed', async () => {
    const result = await postRaw(JSON.stringify({ query: USERS, operationName: nul('Op') }));
    expect(result.status).toBe(400);
    expect(result.text).not.toContain(MARKER);
    expect(result.errors![0].message).toBe('Unknown operation name.');
  });

  test('a deeply nested variable is walked without a stack overflow', async () => {
    // Written by hand: JSON.stringify itself overflows at this depth.
    const depth = 20000;
    const deep = `${'['.repeat(depth)}${JSON.stringify(nul('x'))}${']'.repeat(depth)}`;
    expectRefused(await postRaw(`{"query":${JSON.stringify(USERS)},"variables":{"deep":${deep}}}`), 'deep');
  });
});

test('tab and line breaks pass the boundary: a password may hold them', async () => {
  const password = `Tab\there-New\nline-${Date.now()}`;
  const user = await registerUser(url, { password });
  const login = await graphql(url, LOGIN, { input: { username: user.username, password } });
  expect(login.errors).toBeUndefined();
  // A search with a tab is no error, it just matches nobody.
  const search = await graphql(url, USERS, { search: 'a\tb' }, { token: viewer.token });
  expect(search.errors).toBeUndefined();
  expect(search.data!.users.totalCount).toBe(0);
});

test('nothing above info was logged, and no submitted value', () => expectQuietLogs());
