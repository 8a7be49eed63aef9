import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  gql,
  httpCall,
  killAllServers,
  login,
  LOGOUT,
  PgCluster,
  REGISTER,
  startServer,
  tempDir,
  uniqueUser,
  whoAmI,
  type ServerProcess,
} from './support';

// kill -9 in the middle of work: after a restart on the same data, everything the server
// acknowledged is still true. Only acknowledged results are checked; requests cut off by the
// kill may or may not have happened.

interface Ledger {
  /** Registrations answered with a token: the account must exist and log in. */
  accounts: { username: string; password: string; id: string }[];
  /** Tokens a login or a registration returned and nobody logged out: they must still work. */
  liveTokens: { token: string; id: string }[];
  /** Tokens whose logout was answered `true`: they must be rejected. */
  loggedOut: string[];
}

const USERS = 12;

async function buildLedger(server: ServerProcess): Promise<Ledger> {
  const ledger: Ledger = { accounts: [], liveTokens: [], loggedOut: [] };
  // Three at a time, as concurrent clients would.
  for (let batch = 0; batch < USERS; batch += 3) {
    await Promise.all(
      [0, 1, 2].map(async (offset) => {
        const index = batch + offset;
        const input = uniqueUser('crash');
        const registered = await gql(server.baseUrl, REGISTER, { input });
        expect(registered.errors).toBeUndefined();
        const id: string = registered.data!.register.user.id;
        const registrationToken: string = registered.data!.register.token;
        ledger.accounts.push({ username: input.username, password: input.password, id });
        if (index % 3 === 0) {
          // A second device, then this first device logs out.
          const second = await login(server.baseUrl, input.username, input.password);
          expect(second.errors).toBeUndefined();
          ledger.liveTokens.push({ token: second.data!.login.token, id });
          const out = await gql(server.baseUrl, LOGOUT, {}, { token: registrationToken });
          expect(out.data).toEqual({ logout: true });
          ledger.loggedOut.push(registrationToken);
        } else if (index % 3 === 1) {
          const out = await gql(server.baseUrl, LOGOUT, {}, { token: registrationToken });
          expect(out.data).toEqual({ logout: true });
          ledger.loggedOut.push(registrationToken);
        } else {
          ledger.liveTokens.push({ token: registrationToken, id });
        }
      }),
    );
  }
  return ledger;
}

/**
 * Work still in flight when the kill comes: registrations and logouts whose answers may never
 * arrive. Those answered in full before the kill join the ledger.
 */
function startInFlightWork(server: ServerProcess, ledger: Ledger): Promise<unknown> {
  const work: Promise<unknown>[] = [];
  for (let index = 0; index < 6; index++) {
    const input = uniqueUser('flight');
    work.push(
      gql(server.baseUrl, REGISTER, { input }, { timeoutMs: 10_000 }).then(
        (result) => {
          if (result.status === 200 && !result.errors && result.data?.register?.token) {
            ledger.accounts.push({ ...input, id: result.data.register.user.id });
            ledger.liveTokens.push({ token: result.data.register.token, id: result.data.register.user.id });
          }
        },
        () => undefined,
      ),
    );
  }
  // Log out one live token while the kill comes; a `true` answer means it must stay logged out.
  const victim = ledger.liveTokens.pop()!;
  work.push(
    gql(server.baseUrl, LOGOUT, {}, { token: victim.token, timeoutMs: 10_000 }).then(
      (result) => {
        if (result.data?.logout === true) ledger.loggedOut.push(victim.token);
        // Unacknowledged: the token may or may not still work, so it is checked neither way.
      },
      () => undefined,
    ),
  );
  return Promise.allSettled(work);
}

async function checkLedger(server: ServerProcess, ledger: Ledger): Promise<void> {
  expect(ledger.accounts.length).toBeGreaterThanOrEqual(USERS);
  for (const account of ledger.accounts) {
    const result = await login(server.baseUrl, account.username, account.password);
    expect({ account: account.username, errors: result.errors }).toEqual({
      account: account.username,
      errors: undefined,
    });
  }
  for (const { token, id } of ledger.liveTokens) {
    expect(await whoAmI(server.baseUrl, token)).toEqual({ id });
  }
  for (const token of ledger.loggedOut) {
    expect(await whoAmI(server.baseUrl, token)).toEqual({ code: 'UNAUTHENTICATED' });
  }
}

async function crashAndCheck(env: Record<string, string>, afterKill?: () => void): Promise<void> {
  const server = await startServer(env);
  const ledger = await buildLedger(server);
  const inFlight = startInFlightWork(server, ledger);
  await new Promise((done) => setTimeout(done, 30));
  const exit = await server.kill9();
  expect(exit.signal).toBe('SIGKILL');
  await inFlight;
  afterKill?.();

  const again = await startServer(env);
  await checkLedger(again, ledger);
  expect((await httpCall(`${again.baseUrl}/readyz`)).status).toBe(200);
  // Still a working database: new writes go through.
  expect((await gql(again.baseUrl, REGISTER, { input: uniqueUser('after') })).errors).toBeUndefined();
  expect(await again.stop()).toEqual({ code: 0, signal: null });
}

describe('embedded database (pglite://<dir>)', () => {
  let root: string;
  beforeAll(async () => {
    root = await tempDir('crash');
  });
  afterAll(async () => {
    await killAllServers();
    if (root) await rm(root, { recursive: true, force: true });
  }, 30_000);

  test('after kill -9, a restart on the same directory (stale lock and all) keeps every acknowledged result', async () => {
    const dataDir = join(root, 'db');
    let stalePid = 0;
    await crashAndCheck({ DATABASE_URL: `pglite://${dataDir}` }, () => {
      // The killed process left its lock behind: the restart has to take it over.
      expect(existsSync(`${dataDir}.lock`)).toBe(true);
      stalePid = Number(readFileSync(`${dataDir}.lock`, 'utf8'));
      expect(stalePid).toBeGreaterThan(0);
    });
    expect(stalePid).toBeGreaterThan(0);
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
  }, 120_000);
});

describe('PostgreSQL (only the server is killed)', () => {
  let cluster: PgCluster;
  beforeAll(async () => {
    cluster = await PgCluster.create();
  }, 60_000);
  afterAll(async () => {
    await killAllServers();
    await cluster?.destroy();
  }, 60_000);

  test('after kill -9 of the server, a restart keeps every acknowledged result', async () => {
    await crashAndCheck({ DATABASE_URL: cluster.url });
    expect(await cluster.isRunning()).toBe(true);
  }, 120_000);
});
