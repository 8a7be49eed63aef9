import { createHash } from 'node:crypto';
import {
  gql,
  killAllServers,
  LOGOUT,
  PgCluster,
  register,
  sleep,
  startServer,
  whoAmI,
  type ServerProcess,
} from './support';

// Two server processes on one PostgreSQL database, each with its session cache on (the default):
// how long after a revocation through A does B refuse the token it holds in memory? The bound
// stated in the README (under 1 s) is asserted; the measured figures are printed.

const BOUND_MS = 1000;
const TRIALS = 15;

let cluster: PgCluster;
let a: ServerProcess;
let b: ServerProcess;

const digest = (token: string) => createHash('sha256').update(token).digest();

beforeAll(async () => {
  cluster = await PgCluster.create();
  [a, b] = await Promise.all([startServer({ DATABASE_URL: cluster.url }), startServer({ DATABASE_URL: cluster.url })]);
}, 90_000);

afterAll(async () => {
  await killAllServers();
  await cluster?.destroy();
}, 60_000);

/** Polls B until it refuses the token; ms since `start`. */
async function refusedByB(token: string, start: number): Promise<number> {
  for (;;) {
    const answer = await whoAmI(b.baseUrl, token);
    const elapsed = Date.now() - start;
    if (answer.code === 'UNAUTHENTICATED') return elapsed;
    if (elapsed > 5 * BOUND_MS) throw new Error(`B still accepts the token after ${elapsed} ms`);
    await sleep(2);
  }
}

function summary(figures: number[]): string {
  const sorted = [...figures].sort((x, y) => x - y);
  return `median ${sorted[Math.floor(sorted.length / 2)]} ms, max ${sorted[sorted.length - 1]} ms over ${sorted.length}`;
}

test('B answers from memory: a change made with the triggers silenced is not seen by it', async () => {
  const user = await register(a.baseUrl);
  expect(await whoAmI(b.baseUrl, user.token)).toEqual({ id: user.id });
  // session_replication_role = replica skips triggers: nothing is announced, so B keeps its entry.
  await cluster.query(
    `do $$ begin
       set local session_replication_role = replica;
       delete from sessions where token_hash = '\\x${digest(user.token).toString('hex')}';
     end $$`,
  );
  expect(await whoAmI(b.baseUrl, user.token)).toEqual({ id: user.id });
});

test(`a logout through A is refused by B in under ${BOUND_MS} ms`, async () => {
  const figures: number[] = [];
  const afterAnswer: number[] = [];
  for (let trial = 0; trial < TRIALS; trial++) {
    const user = await register(a.baseUrl);
    for (let request = 0; request < 2; request++) expect(await whoAmI(b.baseUrl, user.token)).toEqual({ id: user.id });
    const start = Date.now();
    expect((await gql(a.baseUrl, LOGOUT, {}, { token: user.token })).data).toEqual({ logout: true });
    const answered = Date.now();
    figures.push(await refusedByB(user.token, start));
    afterAnswer.push(start + figures[trial] - answered);
  }
  console.log(
    `session cache: logout sent to A -> refused by B: ${summary(figures)} trials ` +
      `(from A's answer: ${summary(afterAnswer)})`,
  );
  expect(Math.max(...figures)).toBeLessThan(BOUND_MS);
});

test(`a session deleted in SQL is refused by B in under ${BOUND_MS} ms`, async () => {
  const figures: number[] = [];
  for (let trial = 0; trial < 5; trial++) {
    const user = await register(a.baseUrl);
    for (let request = 0; request < 2; request++) expect(await whoAmI(b.baseUrl, user.token)).toEqual({ id: user.id });
    const start = Date.now();
    await cluster.query('delete from sessions where token_hash = $1', [digest(user.token)]);
    figures.push(await refusedByB(user.token, start));
  }
  console.log(`session cache: delete in SQL -> refused by B: ${summary(figures)} trials`);
  expect(Math.max(...figures)).toBeLessThan(BOUND_MS);
});

test('a listener connection killed: B says so, bypasses its cache, and listens again', async () => {
  const [{ count }] = await cluster.query<{ count: string }>(
    "select count(*) from pg_stat_activity where application_name = 'authapi-change-listener'",
  );
  expect(Number(count)).toBe(2);
  await cluster.query(
    "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'authapi-change-listener'",
  );
  for (const server of [a, b]) {
    await server.waitForLog((line) => /change listener lost/.test(line.msg));
    await server.waitForLog((line) => /listening for changes again/.test(line.msg), 10_000);
  }
  const user = await register(a.baseUrl);
  expect(await whoAmI(b.baseUrl, user.token)).toEqual({ id: user.id });
  const start = Date.now();
  await gql(a.baseUrl, LOGOUT, {}, { token: user.token });
  expect(await refusedByB(user.token, start)).toBeLessThan(BOUND_MS);
  for (const server of [a, b]) expect(server.stderr).toBe('');
});
