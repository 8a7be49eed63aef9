import { messages } from '../../src/errors';
import { LOGIN, ME, REGISTER, USER, USERS } from '../support/documents';
import { newUserInput, registerUser, type RegisteredUser } from '../support/factories';
import { errorCode, fieldErrors, graphql, type GraphQLResult, type RequestOptions } from '../support/graphql';
import { startTestApp, type TestApp } from '../support/test-app';

// The error contract: every error a client can cause has a code from the contract's list, and no
// response ever carries what it must not: the client's secrets, stack traces, SQL, constraint names.

/** The codes /work/shared/api-contract.graphql lists, Apollo's request-error codes included. */
const CONTRACT_CODES = [
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'TOO_MANY_REQUESTS',
  'SERVICE_UNAVAILABLE',
  'INTERNAL_SERVER_ERROR',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
];

const SECRET = 'Zebra-Secret-Value-991';
const NUMERIC_SECRET = 12345678901234;

let t: TestApp;
let viewer: RegisteredUser;

beforeAll(async () => {
  t = await startTestApp();
  await t.reset();
  viewer = await registerUser(t.url);
});
afterAll(() => t.close());

/** What no response may contain, whatever was asked. */
function expectNoInternals(text: string): void {
  expect(text).not.toMatch(/stacktrace/i);
  expect(text).not.toMatch(/\bat [^"]*:\d+:\d+/); // a stack frame: "at fn (file.ts:1:2)"
  expect(text).not.toContain('/src/');
  expect(text).not.toContain('node_modules');
  expect(text).not.toMatch(/\bselect /i);
  expect(text).not.toMatch(/\binsert into\b/i);
  expect(text).not.toMatch(/_key\b/);
  expect(text).not.toMatch(/\b(users|sessions)_\w+/); // any other index or constraint name
}

/** A GraphQL POST whose every response is checked for internals before the test looks at it. */
async function send(
  query: string,
  variables: Record<string, unknown> = {},
  options: RequestOptions = {},
): Promise<GraphQLResult> {
  const result = await graphql(t.url, query, variables, options);
  expectNoInternals(result.text);
  for (const error of result.errors ?? []) expect(CONTRACT_CODES).toContain(error.extensions.code);
  return result;
}

function expectAbsent(result: GraphQLResult, ...secrets: string[]): void {
  for (const secret of secrets) expect(result.text).not.toContain(secret);
  expect(result.text).not.toMatch(/did you mean/i);
}

/** One request error: HTTP 400, no data, a human message, BAD_USER_INPUT with `fields`. */
function expectVariableError(result: GraphQLResult): void {
  expect(result.status).toBe(400);
  expect(result.data).toBeUndefined();
  expect(result.errors!.length).toBeGreaterThan(0);
  for (const error of result.errors!) {
    expect(error.extensions.code).toBe('BAD_USER_INPUT');
    expect(error.message).toMatch(/^[A-Z].{10,}\.$/);
    expect(error.extensions.fields).toEqual(expect.any(Object));
    for (const problems of Object.values(error.extensions.fields!)) {
      expect(problems).toEqual([expect.stringMatching(/^[A-Z].*\.$/)]);
    }
  }
}

/** The fields named across every error of a response. */
function allFields(result: GraphQLResult): Record<string, string[]> {
  return Object.assign({}, ...result.errors!.map((error) => error.extensions.fields ?? {}));
}

describe('variable coercion errors name the field and never echo the input', () => {
  test.each([
    ['register', REGISTER, () => newUserInput({ password: NUMERIC_SECRET })],
    ['login', LOGIN, () => ({ username: 'someone', password: NUMERIC_SECRET })],
  ])('%s with a numeric password', async (_name, document, input) => {
    const result = await send(document, { input: input() });
    expectVariableError(result);
    expect(fieldErrors(result)).toEqual({ password: [expect.stringContaining('String')] });
    expect(result.errors![0].message).toContain('input.password');
    expectAbsent(result, String(NUMERIC_SECRET));
  });

  test('register without the required email', async () => {
    const { username } = newUserInput();
    const result = await send(REGISTER, { input: { username, password: SECRET } });
    expectVariableError(result);
    expect(fieldErrors(result)).toEqual({ email: [messages.required] });
    expectAbsent(result, SECRET, username);
  });

  test('register with an unknown field (isStaff)', async () => {
    const input = newUserInput({ password: SECRET, isStaff: true });
    const result = await send(REGISTER, { input });
    expectVariableError(result);
    expect(fieldErrors(result)).toEqual({ isStaff: [messages.unknownField] });
    expectAbsent(result, SECRET, input.username, input.email);
  });

  test('a misspelt password field: no "Did you mean", no value', async () => {
    const { username, email } = newUserInput();
    const result = await send(REGISTER, { input: { username, email, passwrd: SECRET } });
    expectVariableError(result);
    expect(allFields(result)).toEqual({ password: [messages.required], passwrd: [messages.unknownField] });
    expectAbsent(result, SECRET, username, email);
  });

  test.each([
    ['an object', { value: SECRET }],
    ['a list', [SECRET]],
    ['a boolean', true],
  ])('a password that is %s', async (_kind, password) => {
    const result = await send(REGISTER, { input: newUserInput({ password }) });
    expectVariableError(result);
    expect(fieldErrors(result)).toEqual({ password: [expect.stringContaining('String')] });
    expectAbsent(result, SECRET);
  });

  test('a null password is reported on the password field', async () => {
    const result = await send(LOGIN, { input: { username: SECRET, password: null } });
    expectVariableError(result);
    expect(fieldErrors(result)).toEqual({ password: [expect.any(String)] });
    expectAbsent(result, SECRET);
  });

  test('input that is not an object', async () => {
    const result = await send(REGISTER, { input: SECRET });
    expectVariableError(result);
    expect(fieldErrors(result)).toEqual({ nonFieldErrors: [expect.any(String)] });
    expectAbsent(result, SECRET);
  });

  test.each([
    ['missing', {}],
    ['null', { input: null }],
  ])('a required variable that is %s names it', async (_kind, variables) => {
    const result = await send(REGISTER, variables);
    expectVariableError(result);
    expect(fieldErrors(result)).toEqual({ input: [messages.required] });
  });
});

describe('literal values in the document are never echoed', () => {
  test('a literal argument of the wrong type: GRAPHQL_VALIDATION_FAILED without the value', async () => {
    const result = await send('mutation { login(input: {username: "x", password: 12345678987}) { token } }');
    expect(result.status).toBe(400);
    expect(errorCode(result)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(result.errors![0].message).toMatch(/String/);
    expect(result.text).not.toContain('12345678987');
  });

  test('a wrong default value of a variable: GRAPHQL_VALIDATION_FAILED without the value', async () => {
    const result = await send(
      'mutation ($p: String = 12345678987) { login(input: {username: "x", password: $p}) { token } }',
    );
    expect(result.status).toBe(400);
    expect(errorCode(result)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(result.text).not.toContain('12345678987');
  });

  test.each([
    [
      'an unterminated document',
      'mutation { login(input: {username: "x" password: "Secret-Literal-Pw-77"',
      'Secret-Literal-Pw-77',
    ],
    [
      'a string where a name is expected',
      'mutation { login(input: {username: "x" password: "Pw-One-Secret-11" "Found-Secret-22"}) { token } }',
      'Found-Secret-22',
    ],
    // graphql-js quotes an unexpected token's value raw: a quote or backslash inside must not
    // let the rest of the value through.
    ['a string holding a quote', '"doc" "Top\\"Secret-Tail-33"', 'Secret-Tail-33'],
    ['a string after "extend"', 'extend "Pass\\"word-Tail-44"', 'word-Tail-44'],
    ['a block string holding a quote', '"doc" """Block"Secret-Tail-55"""', 'Secret-Tail-55'],
    ['a string ending in a backslash', '"doc" "Backslash-Secret-66\\\\"', 'Backslash-Secret-66'],
    [
      'an invalid unicode escape',
      'mutation { login(input: {username: "x", password: "\\u{DEADBEEF77}"}) { token } }',
      'DEADBEEF',
    ],
  ])('a syntax error in %s: GRAPHQL_PARSE_FAILED without the secret', async (_name, document, secret) => {
    const result = await send(document);
    expect(result.status).toBe(400);
    expect(errorCode(result)).toBe('GRAPHQL_PARSE_FAILED');
    expect(result.errors![0].message).toMatch(/^Syntax Error: /);
    expect(result.text).not.toContain(secret);
  });
});

describe('register validation', () => {
  test('reports every field problem at once, without the password', async () => {
    const password = 'Zeb-91!';
    const result = await send(REGISTER, { input: { username: 'a b!', email: 'not-an-email', password } });
    expect(result.status).toBe(200);
    expect(result.data).toBeNull();
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0].path).toEqual(['register']);
    expect(result.errors![0].message).toBe(messages.invalidInput);
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    const fields = fieldErrors(result)!;
    expect(Object.keys(fields).sort()).toEqual(['email', 'password', 'username']);
    for (const problems of Object.values(fields)) {
      expect(problems.length).toBeGreaterThan(0);
      for (const problem of problems) expect(problem).toMatch(/^[A-Z].*\.$/);
    }
    expect(result.text).not.toContain(password);
    expect(result.text).not.toContain('a b!');
    expect(result.text).not.toContain('not-an-email');
  });

  test('a password like the username is refused without echoing either', async () => {
    const input = newUserInput();
    const password = `${input.username}Q`;
    const result = await send(REGISTER, { input: { ...input, password } });
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    const { password: problems, ...others } = fieldErrors(result)!;
    expect(others).toEqual({});
    expect(problems.length).toBeGreaterThan(0);
    for (const problem of problems) expect(problem).toMatch(/similar/);
    expect(result.text).not.toContain(password);
  });

  test('concurrent duplicates get field errors, never a constraint name', async () => {
    // Sent together, so that some pass the pre-check and meet the unique index at the insert.
    const { username } = newUserInput();
    const { email } = newUserInput();
    const [byUsername, byEmail] = await Promise.all([
      Promise.all([1, 2, 3].map(() => send(REGISTER, { input: newUserInput({ username }) }))),
      Promise.all([1, 2, 3].map(() => send(REGISTER, { input: newUserInput({ email }) }))),
    ]);
    for (const [group, field, message] of [
      [byUsername, 'username', messages.usernameTaken],
      [byEmail, 'email', messages.emailTaken],
    ] as const) {
      expect(group.filter((result) => !result.errors)).toHaveLength(1);
      const failed = group.filter((result) => result.errors);
      expect(failed).toHaveLength(2);
      for (const result of failed) {
        expect(result.data).toBeNull();
        expect(errorCode(result)).toBe('BAD_USER_INPUT');
        expect(fieldErrors(result)).toEqual({ [field]: [message] });
      }
    }
  });
});

describe('errors on a field carry a code from the contract', () => {
  test('me without a token: UNAUTHENTICATED', async () => {
    const result = await send(ME);
    expect(result.errors![0].path).toEqual(['me']);
    expect(errorCode(result)).toBe('UNAUTHENTICATED');
  });

  test('login with a wrong password: UNAUTHENTICATED, without the password', async () => {
    const result = await send(LOGIN, { input: { username: viewer.username, password: SECRET } });
    expect(result.errors![0].path).toEqual(['login']);
    expect(errorCode(result)).toBe('UNAUTHENTICATED');
    expect(result.errors![0].message).toBe(messages.invalidCredentials);
    expect(result.text).not.toContain(SECRET);
  });

  test('users with first out of range: BAD_USER_INPUT on first', async () => {
    const result = await send(USERS, { first: 1000 }, { token: viewer.token });
    expect(result.errors![0].path).toEqual(['users']);
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(fieldErrors(result)).toEqual({ first: [messages.firstOutOfRange(100)] });
  });

  test.each(['garbage', "x' or 1=1 --", 'dTo'])(
    'users with a forged cursor (%s): BAD_USER_INPUT on after',
    async (after) => {
      const result = await send(USERS, { after }, { token: viewer.token });
      expect(result.errors![0].path).toEqual(['users']);
      expect(errorCode(result)).toBe('BAD_USER_INPUT');
      expect(fieldErrors(result)).toEqual({ after: [messages.invalidCursor] });
    },
  );

  test('a well-formed cursor holding SQL is only a position', async () => {
    const after = Buffer.from("u:'; drop table users; --").toString('base64url');
    const result = await send(USERS, { after, search: "'" }, { token: viewer.token });
    expect(result.errors).toBeUndefined();
    expect(result.data!.users).toEqual({ totalCount: 0, nodes: [], pageInfo: { hasNextPage: false, endCursor: null } });
    expect(errorCode(await send(ME, {}, { token: viewer.token }))).toBeUndefined();
  });

  test('user with an id that is not a uuid answers null, not a database error', async () => {
    const result = await send(USER, { id: "1' or '1'='1" }, { token: viewer.token });
    expect(result.errors).toBeUndefined();
    expect(result.data!.user).toBeNull();
  });
});
