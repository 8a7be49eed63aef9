import { Client } from 'pg';
import {
  eventually,
  gql,
  httpCall,
  killAllServers,
  login,
  ME,
  PgCluster,
  register,
  REGISTER,
  startServer,
  uniqueUser,
  whoAmI,
  type Account,
  type GqlResult,
  type ServerProcess,
} from './support';

// PostgreSQL goes away under a running server, then comes back: the server answers fast with
// SERVICE_UNAVAILABLE meanwhile, stays up, and recovers by itself.

const TIMEOUT_SECONDS = 2;
const MAX_ANSWER_MS = 8000;

let cluster: PgCluster;
let server: ServerProcess;
let account: Account;
let frozenResults: GqlResult[] = [];
let lockedInput: ReturnType<typeof uniqueUser>;

beforeAll(async () => {
  cluster = await PgCluster.create();
  server = await startServer({ DATABASE_URL: cluster.url, DATABASE_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS) });
}, 90_000);

afterAll(async () => {
  await killAllServers();
  await cluster?.destroy();
}, 60_000);

/** The answer a client gets while the database is down: fast, HTTP 200, SERVICE_UNAVAILABLE, nothing leaked. */
function expectUnavailable(result: GqlResult, what: string) {
  const context = `${what}: HTTP ${result.status} after ${result.ms} ms: ${result.text}`;
  expect({ context, ms: result.ms < MAX_ANSWER_MS }).toEqual({ context, ms: true });
  expect({ context, status: result.status }).toEqual({ context, status: 200 });
  expect({ context, code: result.code }).toEqual({ context, code: 'SERVICE_UNAVAILABLE' });
  expect(result.text).not.toMatch(/postgres(ql)?:\/\//i);
  expect(result.text).not.toContain(String(cluster.port));
  expect(result.text).not.toContain(cluster.root);
  expect(result.text).not.toMatch(/ECONNREFUSED|\bat .*\.js:\d+/);
}

test('traffic works while the database is up', async () => {
  account = await register(server.baseUrl);
  expect(await whoAmI(server.baseUrl, account.token)).toEqual({ id: account.id });
  const loggedIn = await login(server.baseUrl, account.username, account.password);
  expect(loggedIn.errors).toBeUndefined();
  expect((await httpCall(`${server.baseUrl}/readyz`)).status).toBe(200);
});

test('database stopped: fast SERVICE_UNAVAILABLE answers, /readyz 503, /healthz 200, the process stays up', async () => {
  const pid = server.pid;
  await cluster.stop();

  expectUnavailable(await gql(server.baseUrl, ME, {}, { token: account.token, timeoutMs: 30_000 }), 'me');
  expectUnavailable(await login(server.baseUrl, account.username, account.password), 'login');
  expectUnavailable(await gql(server.baseUrl, REGISTER, { input: uniqueUser() }, { timeoutMs: 30_000 }), 'register');

  // More requests at once than the pool holds, twice over: none of them hangs.
  const burst = await Promise.all(
    Array.from({ length: 12 }, (_, index) =>
      index % 2 === 0
        ? gql(server.baseUrl, ME, {}, { token: account.token, timeoutMs: 30_000 })
        : login(server.baseUrl, account.username, account.password),
    ),
  );
  burst.forEach((result, index) => expectUnavailable(result, `burst request ${index}`));

  const ready = await httpCall(`${server.baseUrl}/readyz`, { timeoutMs: 30_000 });
  expect(ready.status).toBe(503);
  expect(ready.ms).toBeLessThan(MAX_ANSWER_MS);
  expect(JSON.parse(ready.text).status).not.toBe('ready');
  const health = await httpCall(`${server.baseUrl}/healthz`);
  expect(health.status).toBe(200);

  // Still the very same process, still serving.
  expect(server.isAlive()).toBe(true);
  expect(server.pid).toBe(pid);
  expect(server.stderr).toBe('');
  expect(server.stdout).not.toContain(cluster.url);
}, 90_000);

test('database back: requests succeed again within ~15 s and /readyz is 200, without a server restart', async () => {
  await cluster.start();
  const begin = Date.now();
  await eventually(
    async () => (await whoAmI(server.baseUrl, account.token)).id === account.id,
    15_000,
    250,
    'me to work again',
  );
  await eventually(async () => (await httpCall(`${server.baseUrl}/readyz`)).status === 200, 15_000, 250, '/readyz 200');
  expect(Date.now() - begin).toBeLessThan(15_000);

  // Every kind of request works again, including ones that write.
  const loggedIn = await login(server.baseUrl, account.username, account.password);
  expect(loggedIn.errors).toBeUndefined();
  const fresh = await register(server.baseUrl);
  expect(await whoAmI(server.baseUrl, fresh.token)).toEqual({ id: fresh.id });
  // Several at once, so every pooled connection (not only the first one retried) is sound.
  const many = await Promise.all(Array.from({ length: 12 }, () => whoAmI(server.baseUrl, account.token)));
  for (const result of many) expect(result).toEqual({ id: account.id });

  expect(server.isAlive()).toBe(true);
  const readyLines = server.logs().filter((line) => String(line.msg).startsWith('GraphQL API ready at'));
  expect(readyLines).toHaveLength(1);
}, 60_000);

test('database frozen (no answer at all): requests still end within the bound, then recover', async () => {
  // A token the session cache has not seen, so `me` needs the database. (A cached token may be
  // answered from memory meanwhile, and rightly: a frozen database commits no revocation.)
  const fresh = (await login(server.baseUrl, account.username, account.password)).data!.login.token as string;
  await cluster.signal('SIGSTOP');
  try {
    const [ready, ...results] = await Promise.all([
      httpCall(`${server.baseUrl}/readyz`, { timeoutMs: 30_000 }),
      gql(server.baseUrl, ME, {}, { token: fresh, timeoutMs: 30_000 }),
      login(server.baseUrl, account.username, account.password),
      gql(server.baseUrl, REGISTER, { input: uniqueUser() }, { timeoutMs: 30_000 }),
    ]);
    frozenResults = results as GqlResult[];
    expect(ready.status).toBe(503);
    expect(ready.ms).toBeLessThan(MAX_ANSWER_MS);
  } finally {
    await cluster.signal('SIGCONT');
  }
  for (const [index, result] of frozenResults.entries()) {
    const context = `request ${index}: HTTP ${result.status} after ${result.ms} ms: ${result.text}`;
    expect({ context, fast: result.ms < MAX_ANSWER_MS, status: result.status }).toEqual({
      context,
      fast: true,
      status: 200,
    });
    expect(result.errors).toHaveLength(1);
    expect(result.text).not.toMatch(/postgres(ql)?:\/\//i);
    expect(result.text).not.toContain(String(cluster.port));
  }
  expect(server.isAlive()).toBe(true);
  await eventually(
    async () => (await whoAmI(server.baseUrl, account.token)).id === account.id,
    15_000,
    250,
    'me to work again',
  );
  const many = await Promise.all(Array.from({ length: 12 }, () => whoAmI(server.baseUrl, account.token)));
  for (const result of many) expect(result).toEqual({ id: account.id });
}, 60_000);

// A database that stops answering (frozen, or a network partition) ends requests with pg's
// "Query read timeout": that too is SERVICE_UNAVAILABLE.
test('database frozen: the answers are SERVICE_UNAVAILABLE, as for a stopped database', () => {
  expect(frozenResults.length).toBe(3);
  for (const result of frozenResults) expect(result.code).toBe('SERVICE_UNAVAILABLE');
});

test('a write stuck behind a lock ends at the statement timeout: fast, HTTP 200, nothing leaked to the client', async () => {
  // Another session holds a lock that blocks inserts into users (reads still pass).
  const holder = new Client({ connectionString: cluster.url });
  await holder.connect();
  try {
    await holder.query('begin');
    await holder.query('lock table users in share mode');
    lockedInput = uniqueUser('locked');
    const result = await gql(server.baseUrl, REGISTER, { input: lockedInput }, { timeoutMs: 30_000 });
    expect(result.ms).toBeLessThan(MAX_ANSWER_MS);
    expect(result.status).toBe(200);
    expect(result.errors).toHaveLength(1);
    expect(result.code).toBe('SERVICE_UNAVAILABLE');
    expect(result.text).not.toMatch(/insert into|\$2[aby]\$|statement timeout/i);
    expect(result.text).not.toContain(lockedInput.email);
  } finally {
    await holder.query('rollback').catch(() => undefined);
    await holder.end();
  }
  // Nothing was half-written: the account does not exist, and registering it now works.
  expect((await login(server.baseUrl, lockedInput.username, lockedInput.password)).code).toBe('UNAUTHENTICATED');
  await server.waitForLog((line) => line.level >= 40 && line.msg === 'database unavailable');
}, 60_000);

// The driver's error message is the SQL with its values inlined (the new user's bcrypt hash and
// email): only the failure's type, code and reason may reach the log.
test('a failed write is logged without the password hash or the email', () => {
  const errors = server
    .logs()
    .filter((line) => line.level >= 40)
    .map((line) => JSON.stringify(line));
  expect(errors.length).toBeGreaterThan(0);
  for (const line of errors) {
    expect(line).not.toMatch(/\$2[aby]\$\d\d\$/);
    expect(line).not.toContain(lockedInput.email);
  }
});

test('SIGTERM while the database is down: the process still exits 0 promptly', async () => {
  await cluster.stop();
  try {
    const me = await gql(server.baseUrl, ME, {}, { token: account.token, timeoutMs: 30_000 });
    expect(me.code).toBe('SERVICE_UNAVAILABLE');
    const begin = Date.now();
    expect(await server.stop('SIGTERM', 30_000)).toEqual({ code: 0, signal: null });
    expect(Date.now() - begin).toBeLessThan(15_000);
  } finally {
    await cluster.start();
  }
}, 60_000);
