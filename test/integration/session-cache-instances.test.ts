import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { LISTENER_APPLICATION_NAME } from '../../src/db/database';
import {
  CHANGE_PASSWORD,
  DELETE_USER,
  LOGOUT,
  LOGOUT_ALL,
  ME,
  REVOKE_SESSION,
  SESSIONS,
  SET_USER_ACTIVE,
} from '../support/documents';
import { loginUser, registerStaff, registerUser, type RegisteredUser } from '../support/factories';
import { errorCode, graphql } from '../support/graphql';
import { startTestApp, type TestApp } from '../support/test-app';

declare const TEST_DATABASE: 'pglite' | 'postgres';

// Two instances on one PostgreSQL database, each with its session cache (on by default): a
// revocation through A, or made directly in SQL, is refused by B within 1 s although B had the
// token in memory, and B never answers from memory while its change listener is gone. (PGlite
// serves one app at a time: this runs on PostgreSQL.)
const onPostgres = TEST_DATABASE === 'postgres' ? describe : describe.skip;

const PROPAGATION_BOUND_MS = 1000;
const digest = (token: string) => createHash('sha256').update(token).digest();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

onPostgres('two instances', () => {
  let a: TestApp;
  let b: TestApp;
  const env = { DATABASE_POOL_IDLE_SECONDS: '600' };
  beforeAll(async () => {
    a = await startTestApp(env);
    await a.reset();
    b = await startTestApp(env);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  const me = (app: TestApp, token: string) => graphql(app.url, ME, {}, { token });

  /** B answers `token` from memory. */
  async function cachedOnB(token: string): Promise<void> {
    expect((await me(b, token)).errors).toBeUndefined();
    const { hits } = b.app.sessionCache.stats();
    expect((await me(b, token)).errors).toBeUndefined();
    expect(b.app.sessionCache.stats().hits).toBe(hits + 1);
  }

  /** Asks B until it refuses `token`; the time from `since` until then, which must stay under the bound. */
  async function refusedByB(token: string, since: number): Promise<number> {
    for (;;) {
      const elapsed = Date.now() - since;
      if (errorCode(await me(b, token)) === 'UNAUTHENTICATED') return elapsed;
      if (elapsed > PROPAGATION_BOUND_MS) throw new Error(`B still accepts the token after ${elapsed} ms`);
      await sleep(5);
    }
  }

  async function revokedOnA(revoke: (user: RegisteredUser, victim: string) => Promise<unknown>) {
    const user = await registerUser(a.url);
    const victim = await loginUser(a.url, user.username, user.password);
    await cachedOnB(victim);
    const start = Date.now();
    await revoke(user, victim);
    expect(await refusedByB(victim, start)).toBeLessThan(PROPAGATION_BOUND_MS);
  }

  test('logout on A', () => revokedOnA((_, victim) => graphql(a.url, LOGOUT, {}, { token: victim })));

  test('logoutAll on A', () => revokedOnA((user) => graphql(a.url, LOGOUT_ALL, {}, { token: user.token })));

  test('revokeSession on A', () =>
    revokedOnA(async (user, victim) => {
      const { data } = await graphql(a.url, SESSIONS, {}, { token: victim });
      const { id } = data!.sessions.find((session: { current: boolean }) => session.current);
      expect((await graphql(a.url, REVOKE_SESSION, { id }, { token: user.token })).data).toEqual({
        revokeSession: true,
      });
    }));

  test('changePassword on A (the other sessions)', () =>
    revokedOnA((user) =>
      graphql(
        a.url,
        CHANGE_PASSWORD,
        { input: { currentPassword: user.password, newPassword: 'Fresh-Marble-Comet-88' } },
        { token: user.token },
      ),
    ));

  test('setUserActive(false) and deleteUser by staff on A', async () => {
    const admin = await registerStaff(a.url, a.sql);
    await revokedOnA((user) => graphql(a.url, SET_USER_ACTIVE, { id: user.id, active: false }, { token: admin.token }));
    await revokedOnA((user) => graphql(a.url, DELETE_USER, { id: user.id }, { token: admin.token }));
  });

  describe('directly in SQL, on a connection of its own', () => {
    let sql: Client;
    beforeAll(async () => {
      sql = new Client({ connectionString: process.env.TEST_DATABASE_URL });
      await sql.connect();
    });
    afterAll(() => sql.end());

    test('delete from sessions', () =>
      revokedOnA((_, victim) => sql.query('delete from sessions where token_hash = $1', [digest(victim)])));

    test('update users set is_active = false', () =>
      revokedOnA((user) => sql.query('update users set is_active = false where id = $1', [user.id])));
  });

  test("B's listener killed: B bypasses its cache (no stale answer), then uses it again once listening", async () => {
    const user = await registerUser(a.url);
    await cachedOnB(user.token);
    const database = new URL(process.env.TEST_DATABASE_URL!);
    const name = database.pathname.slice(1);
    database.pathname = '/postgres';
    // From another database: while connections are refused, the listeners cannot come back, so
    // the revocation below is made while nobody listens.
    const admin = new Client({ connectionString: database.toString() });
    await admin.connect();
    try {
      await admin.query(`alter database "${name}" with allow_connections false`);
      const killed = await admin.query(
        'select pg_terminate_backend(pid, 5000) from pg_stat_activity where datname = $1 and application_name = $2',
        [name, LISTENER_APPLICATION_NAME],
      );
      expect(killed.rowCount).toBe(2);
      await eventually(() => b.app.sessionCache.stats().bypassing, 2000, 'B to bypass its cache');
      expect(b.app.sessionCache.stats().size).toBe(0);
      await a.sql('delete from sessions where token_hash = ?', [digest(user.token)]);
      const { hits, bypasses } = b.app.sessionCache.stats();
      expect(errorCode(await me(b, user.token))).toBe('UNAUTHENTICATED');
      expect(b.app.sessionCache.stats()).toMatchObject({ hits, bypasses: bypasses + 1 });
    } finally {
      await admin.query(`alter database "${name}" with allow_connections true`);
      await admin.end();
    }
    await eventually(() => !b.app.sessionCache.stats().bypassing, 10_000, 'B to listen again');
    const other = await registerUser(a.url);
    await cachedOnB(other.token);
    await a.sql('delete from sessions where token_hash = ?', [digest(other.token)]);
    expect(await refusedByB(other.token, Date.now())).toBeLessThan(PROPAGATION_BOUND_MS);
  });

  test("closing an app closes its listener's connection", async () => {
    const listeners = async () =>
      Number(
        (
          await a.sql<{ count: string }>(
            'select count(*) from pg_stat_activity where datname = current_database() and application_name = ?',
            [LISTENER_APPLICATION_NAME],
          )
        )[0].count,
      );
    await eventually(async () => (await listeners()) === 2, 10_000, 'both listeners');
    await b.close();
    await eventually(async () => (await listeners()) === 1, 2000, "B's listener to leave");
  });
});
