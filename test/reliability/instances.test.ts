import {
  gql,
  killAllServers,
  login,
  LOGOUT,
  PgCluster,
  register,
  SET_USER_ACTIVE,
  startServer,
  refusedWithin,
  whoAmI,
  type GqlResult,
  type ServerProcess,
} from './support';

// Two server processes on one PostgreSQL database behave as one service: migrations applied
// once, sessions revoked everywhere at once, login throttling counted together.

let cluster: PgCluster;
let a: ServerProcess;
let b: ServerProcess;

const CLIENT_IP = '203.0.113.77';

beforeAll(async () => {
  cluster = await PgCluster.create();
  // A fresh database, and both instances started at the same moment.
  const env = {
    DATABASE_URL: cluster.url,
    TRUST_PROXY: '1',
    LOGIN_DELAY_AFTER_FAILURES: '3',
    // Long enough that the test cannot outrun it on a slow machine.
    LOGIN_DELAY_BASE_SECONDS: '120',
  };
  [a, b] = await Promise.all([startServer(env), startServer(env)]);
}, 90_000);

afterAll(async () => {
  await killAllServers();
  await cluster?.destroy();
}, 60_000);

test('both instances came up, and every migration was applied exactly once', async () => {
  expect(a.isAlive() && b.isAlive()).toBe(true);
  const rows = await cluster.query<{ name: string }>('select name from mikro_orm_migrations order by id');
  const names = rows.map((row) => row.name);
  expect(names.length).toBeGreaterThan(0);
  expect(new Set(names).size).toBe(names.length);
  const [{ total, distinct }] = await cluster.query<{ total: string; distinct: string }>(
    'select count(*) as total, count(distinct name) as distinct from mikro_orm_migrations',
  );
  expect(Number(total)).toBe(Number(distinct));

  // What the two processes say they applied: no name twice, and together exactly the table.
  const applied = [a, b].flatMap((server) =>
    server.logs().flatMap((line) => (line.msg === 'applied migrations' ? (line.migrations as string[]) : [])),
  );
  expect(new Set(applied).size).toBe(applied.length);
  expect([...applied].sort()).toEqual([...names].sort());
  for (const server of [a, b]) expect(server.stderr).toBe('');
});

test('a logout on instance A is honoured by instance B within 1 s', async () => {
  const user = await register(a.baseUrl);
  expect(await whoAmI(b.baseUrl, user.token)).toEqual({ id: user.id });
  const out = await gql(a.baseUrl, LOGOUT, {}, { token: user.token });
  expect(out.data).toEqual({ logout: true });
  await refusedWithin(b.baseUrl, user.token);
  expect(await whoAmI(a.baseUrl, user.token)).toEqual({ code: 'UNAUTHENTICATED' });
});

test("a staff setUserActive(false) on A blocks the user's token on B within 1 s", async () => {
  const staff = await register(a.baseUrl);
  await cluster.query('update users set is_staff = true where id = $1', [staff.id]);
  const user = await register(b.baseUrl);
  expect(await whoAmI(b.baseUrl, user.token)).toEqual({ id: user.id });

  const result = await gql(a.baseUrl, SET_USER_ACTIVE, { id: user.id, active: false }, { token: staff.token });
  expect(result.errors).toBeUndefined();
  expect(result.data!.setUserActive).toEqual({ id: user.id, isActive: false });

  await refusedWithin(b.baseUrl, user.token);
  expect((await login(b.baseUrl, user.username, user.password)).code).toBe('UNAUTHENTICATED');
});

test('login throttling is shared: failures alternated between A and B delay the next login on either', async () => {
  const user = await register(a.baseUrl);
  const headers = { 'x-forwarded-for': CLIENT_IP };
  const wrong = `${user.password}-wrong`;

  // Three failures, alternated: neither instance alone sees three.
  for (const server of [a, b, a]) {
    const failed = await login(server.baseUrl, user.username, wrong, { headers });
    expect(failed.code).toBe('UNAUTHENTICATED');
  }

  const expectDelayed = (result: GqlResult) => {
    expect(result.status).toBe(200);
    expect(result.code).toBe('TOO_MANY_REQUESTS');
    const retryAfter = result.errors![0].extensions!.retryAfter;
    expect(typeof retryAfter).toBe('number');
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(120);
  };
  // Even the right password waits: the delay comes before any check.
  expectDelayed(await login(b.baseUrl, user.username, user.password, { headers }));
  expectDelayed(await login(a.baseUrl, user.username, user.password, { headers }));

  // Another address is not affected: the counters are per account and address.
  const elsewhere = await login(b.baseUrl, user.username, user.password, {
    headers: { 'x-forwarded-for': '198.51.100.9' },
  });
  expect(elsewhere.errors).toBeUndefined();
});
