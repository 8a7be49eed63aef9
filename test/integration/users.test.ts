import { messages } from '../../src/errors';
import { ME, USER, USERS } from '../support/documents';
import { loginUser, registerUser, type RegisteredUser } from '../support/factories';
import { errorCode, fieldErrors, graphql } from '../support/graphql';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let viewer: RegisteredUser;
beforeAll(async () => {
  t = await startTestApp();
  await t.reset();
  viewer = await registerUser(t.url);
});
afterAll(() => t.close());

const users = (variables: Record<string, unknown>, token = viewer.token) => graphql(t.url, USERS, variables, { token });

describe('me', () => {
  test('tells "no credentials" from "invalid or expired token"', async () => {
    const none = await graphql(t.url, ME);
    expect(none.errors![0]).toMatchObject({ message: messages.noCredentials, extensions: { code: 'UNAUTHENTICATED' } });
    const unknown = await graphql(t.url, ME, {}, { token: 'A'.repeat(43) });
    expect(unknown.errors![0]).toMatchObject({
      message: messages.invalidToken,
      extensions: { code: 'UNAUTHENTICATED' },
    });
    const garbage = await graphql(t.url, ME, {}, { headers: { authorization: 'Token not a token' } });
    expect(garbage.errors![0].message).toBe(messages.invalidToken);
  });

  test('shows the user their own private fields', async () => {
    const result = await graphql(t.url, ME, {}, { token: viewer.token });
    expect(result.data!.me).toMatchObject({ id: viewer.id, username: viewer.username, email: viewer.email });
  });

  test('daysCount is whole days since dateJoined', async () => {
    const user = await registerUser(t.url);
    await t.sql("update users set date_joined = now() - interval '3 days 23 hours' where id = ?", [user.id]);
    expect((await graphql(t.url, ME, {}, { token: user.token })).data!.me.daysCount).toBe(3);
  });
});

describe('user(id)', () => {
  test("hides another user's email and lastLogin from non-staff, and shows them to staff", async () => {
    const other = await registerUser(t.url);
    await loginUser(t.url, other.username, other.password);
    const seen = (await graphql(t.url, USER, { id: other.id }, { token: viewer.token })).data!.user;
    expect(seen).toMatchObject({ id: other.id, username: other.username, email: null, lastLogin: null });

    const staff = await registerUser(t.url);
    await t.sql('update users set is_staff = true where id = ?', [staff.id]);
    const bystaff = (await graphql(t.url, USER, { id: other.id }, { token: staff.token })).data!.user;
    expect(bystaff.email).toBe(other.email);
    expect(bystaff.lastLogin).not.toBeNull();
  });

  test('returns null for an unknown or malformed id, never an error', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', '42', 'not-an-id', "' or 1=1 --", 'x'.repeat(500)]) {
      const result = await graphql(t.url, USER, { id }, { token: viewer.token });
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual({ user: null });
    }
  });

  test('needs a valid token', async () => {
    expect(errorCode(await graphql(t.url, USER, { id: viewer.id }))).toBe('UNAUTHENTICATED');
  });
});

describe('users', () => {
  const prefix = 'zlist';
  let listed: RegisteredUser[];
  beforeAll(async () => {
    listed = [];
    for (const name of ['Bravo', 'alpha', 'Charlie', 'delta', 'ECHO']) {
      listed.push(await registerUser(t.url, { username: `${prefix}${name}` }));
    }
  });

  test('orders by username ignoring case and pages by cursor', async () => {
    const expected = ['alpha', 'Bravo', 'Charlie', 'delta', 'ECHO'].map((name) => `${prefix}${name}`);
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 3; page++) {
      const result = await users({ first: 2, after, search: prefix });
      expect(result.errors).toBeUndefined();
      const connection = result.data!.users;
      expect(connection.totalCount).toBe(5);
      seen.push(...connection.nodes.map((node: { username: string }) => node.username));
      expect(connection.pageInfo.hasNextPage).toBe(page < 2);
      after = connection.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected);
    const beyond = await users({ first: 2, after, search: prefix });
    expect(beyond.data!.users).toMatchObject({ nodes: [], pageInfo: { hasNextPage: false, endCursor: null } });
  });

  test('first defaults to 20 and must be 1..100', async () => {
    for (let extra = 0; extra < 21; extra++) await registerUser(t.url, { username: `zdefault${extra}` });
    const page = await users({ search: 'zdefault' });
    expect(page.data!.users.nodes).toHaveLength(20);
    expect(page.data!.users.pageInfo.hasNextPage).toBe(true);
    expect(page.data!.users.totalCount).toBe(21);
    expect((await users({ first: 100, search: 'zdefault' })).data!.users.nodes).toHaveLength(21);
    for (const first of [0, -1, 101]) {
      const result = await users({ first });
      expect(errorCode(result)).toBe('BAD_USER_INPUT');
      expect(fieldErrors(result)).toEqual({ first: [messages.firstOutOfRange(100)] });
    }
  });

  test('a forged cursor is BAD_USER_INPUT', async () => {
    const forged = [
      'garbage!!',
      Buffer.from('x:zlistalpha').toString('base64url'),
      Buffer.from('u:').toString('base64url'),
      Buffer.from('u:UPPER').toString('base64url'),
      Buffer.from([0x75, 0x3a, 0xff, 0xfe]).toString('base64url'),
      'A'.repeat(300),
    ];
    for (const after of forged) {
      const result = await users({ first: 2, after });
      expect(errorCode(result)).toBe('BAD_USER_INPUT');
      expect(fieldErrors(result)).toEqual({ after: [messages.invalidCursor] });
    }
  });

  test('search is a literal, case-insensitive username prefix', async () => {
    await registerUser(t.url, { username: 'lit_one' });
    await registerUser(t.url, { username: 'litXtwo' });
    await registerUser(t.url, { username: 'LIT_three' });
    const names = async (search: string) =>
      (await users({ first: 100, search })).data!.users.nodes.map((node: { username: string }) => node.username);
    expect(await names('lit_')).toEqual(
      ['LIT_three', 'lit_one'].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())),
    );
    expect(await names('LIT_')).toHaveLength(2);
    expect(await names('lit')).toHaveLength(3);
    expect(await names('lit%')).toEqual([]);
    expect(await names('%')).toEqual([]);
    expect((await users({ search: 'lit_' })).data!.users.totalCount).toBe(2);
  });

  test('the unfiltered totalCount is exact through registrations and deletions', async () => {
    const count = async () => Number((await t.sql('select count(*) as n from users'))[0].n);
    const total = async () => (await users({ first: 1 })).data!.users.totalCount;
    expect(await total()).toBe(await count());
    const leaving = await registerUser(t.url);
    await registerUser(t.url);
    expect(await total()).toBe(await count());
    await graphql(
      t.url,
      'mutation ($p: String!) { deleteAccount(password: $p) }',
      { p: leaving.password },
      { token: leaving.token },
    );
    await t.sql('delete from users where id in (select id from users order by username_canonical desc limit 2)');
    expect(await total()).toBe(await count());
    expect(await count()).toBeGreaterThan(5);
  });

  test('shows private fields only for the viewer themself (or to staff)', async () => {
    const result = await users({ first: 100 });
    const nodes = result.data!.users.nodes as { id: string; email: string | null }[];
    expect(nodes.length).toBeGreaterThan(5);
    for (const node of nodes) expect(node.email).toBe(node.id === viewer.id ? viewer.email : null);
  });

  test('needs a valid token', async () => {
    const result = await graphql(t.url, USERS, { first: 2 });
    expect(result.errors![0]).toMatchObject({
      message: messages.noCredentials,
      extensions: { code: 'UNAUTHENTICATED' },
    });
    expect(result.data).toBeNull();
  });
});

describe('users, Relay-style', () => {
  const RELAY = `query Users($first: Int, $after: String) {
    users(first: $first, after: $after) {
      edges { cursor node { id username } }
      nodes { id }
      pageInfo { hasNextPage endCursor hasPreviousPage startCursor }
    }
  }`;

  test('edges carry each node with its cursor; pageInfo has both ends, as relayStylePagination expects', async () => {
    for (let extra = 0; extra < 3; extra++) await registerUser(t.url);
    const first = (await graphql(t.url, RELAY, { first: 2 }, { token: viewer.token })).data!.users;
    expect(first.edges).toHaveLength(2);
    expect(first.edges.map((edge: { node: { id: string } }) => edge.node.id)).toEqual(
      first.nodes.map((node: { id: string }) => node.id),
    );
    expect(first.pageInfo).toMatchObject({
      hasPreviousPage: false,
      hasNextPage: true,
      startCursor: first.edges[0].cursor,
      endCursor: first.edges[1].cursor,
    });
    // A page after any edge's cursor starts right after that edge.
    const afterFirst = (
      await graphql(t.url, RELAY, { first: 1, after: first.edges[0].cursor }, { token: viewer.token })
    ).data!.users;
    expect(afterFirst.edges[0].node.id).toBe(first.edges[1].node.id);
    expect(afterFirst.pageInfo.hasPreviousPage).toBe(true);
  });
});
