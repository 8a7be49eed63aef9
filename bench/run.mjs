// Benchmark harness for issue #6. Starts the compiled server (dist/main.js) as a child process in
// production mode on a throwaway PostgreSQL database and/or an embedded PGlite, seeds large tables
// with set-based SQL, drives it over HTTP with autocannon at fixed concurrency, and compares it
// with baselines measured in the same run. See bench/README.md.
//
//   npm run bench                  full run: PostgreSQL, then PGlite
//   npm run bench -- --pglite      PGlite only            (--postgres: PostgreSQL only)
//   npm run bench:smoke            tiny sizes, ~1 s steps, one round (CI)
import { spawn } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Buffer } from 'node:buffer';
import bcrypt from 'bcrypt';
import passwordHashModule from '../dist/lib/password-hash.js';
import {
  createDatabase,
  dropDatabase,
  explain,
  openSql,
  planQueries,
  postgresReachable,
  seedCanonical,
  seedSessions,
  seedUsername,
  seedUsers,
  serverVersion,
  sessionLookupQuery,
  tableCounts,
  vacuumAnalyze,
  withDatabase,
} from './database.mjs';
import { median, runLoad } from './load.mjs';
import { evaluateTargets, formatBackend, summarise } from './report.mjs';
import { busyShare, cpuAccounting, cpuTicks, graphql, loadAverage, sampleRss, startServer } from './servers.mjs';

const { hashPassword } = passwordHashModule;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEFAULT_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';

// ----- options -----------------------------------------------------------------------------------

const HELP = `Usage: node bench/run.mjs [options]   (npm run bench -- [options])

  --smoke                 tiny sizes (2,000 rows), 1 s steps, one round; PostgreSQL if reachable, else PGlite
  --pglite                PGlite only          --postgres   PostgreSQL only   (default: both; smoke: one)
  --bcrypt-cost N         BCRYPT_COST for the server and the bcrypt bound (default 10)
  --rounds N              interleaved measured rounds (default 3; smoke 1)
  --duration S            seconds per load step (default 10; smoke 1)
  --warmup S              seconds per warm-up step (default 5; smoke 0: no warm-up)
  --users N               seeded users (default 1,000,000; smoke 2,000)
  --sessions N            sessions on server B (default 1,000,000; smoke 2,000)
  --base-sessions N       sessions on server A (default 1,000)
  --connections N         fixed concurrency of the read scenarios (default 16)
  --login-connections N   fixed concurrency of login / register / the login flood (default 8)
  --only ID,ID            run only these scenarios (ids as in the JSON: hello, me, me_nocache, me_big, login, …)
  --previous FILE         an earlier results JSON: login and users are compared with it (no regression)
  --verbose               print the full query plans

PostgreSQL: the server of DATABASE_URL if it is a postgres:// URL, else ${DEFAULT_POSTGRES}.
The bench creates its own databases authapi_bench_<timestamp>[_sessions] there and drops them at the end;
the database named in the URL is only used to connect.`;

const { values: flags } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    pglite: { type: 'boolean', default: false },
    postgres: { type: 'boolean', default: false },
    'bcrypt-cost': { type: 'string' },
    rounds: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    users: { type: 'string' },
    sessions: { type: 'string' },
    'base-sessions': { type: 'string' },
    connections: { type: 'string' },
    'login-connections': { type: 'string' },
    verbose: { type: 'boolean', default: false },
    only: { type: 'string' },
    previous: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});
if (flags.help) {
  console.log(HELP);
  process.exit(0);
}

function intFlag(name, fallback, min, max) {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  const value = Number(raw.replace(/[_,]/g, ''));
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(`--${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
    process.exit(2);
  }
  return value;
}

const smoke = flags.smoke;
const settings = {
  mode: smoke ? 'smoke' : 'full',
  bcryptCost: intFlag('bcrypt-cost', 10, 4, 15),
  rounds: intFlag('rounds', smoke ? 1 : 3, 1, 100),
  duration: intFlag('duration', smoke ? 1 : 10, 1, 600),
  warmup: intFlag('warmup', smoke ? 0 : 5, 0, 600),
  connections: intFlag('connections', 16, 1, 1000),
  loginConnections: intFlag('login-connections', 8, 1, 1000),
  pauseMs: smoke ? 200 : 1000,
};
const sizes = {
  users: intFlag('users', smoke ? 2_000 : 1_000_000, 300, 9_999_999),
  baseSessions: intFlag('base-sessions', 1_000, 1, 9_999_999),
  bigSessions: intFlag('sessions', smoke ? 2_000 : 1_000_000, 1, 99_999_999),
};
if (sizes.bigSessions < sizes.baseSessions) sizes.bigSessions = sizes.baseSessions;
const previousRun = flags.previous ? JSON.parse(readFileSync(flags.previous, 'utf8')) : null;

// ----- cleanup (also on Ctrl-C) ------------------------------------------------------------------

const cleanups = [];
async function runCleanups() {
  while (cleanups.length) {
    const cleanup = cleanups.pop();
    try {
      await cleanup();
    } catch (error) {
      console.error(`cleanup failed: ${error.message}`);
    }
  }
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping servers and dropping the bench databases…`);
    runCleanups().finally(() => process.exit(130));
  });
}

const log = (line = '') => console.log(line);
const problems = [];
function problem(message) {
  problems.push(message);
  console.log(`  !! ${message}`);
}

// ----- helpers -----------------------------------------------------------------------------------

function runNode(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: 'pipe' });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`node ${args.join(' ')} exited ${code}:\n${output.trim()}`)),
    );
  });
}

/** bcrypt bound (2): cores ÷ the median time of one bcrypt.hash at the cost, run one at a time. */
function measureBcrypt(cost, count) {
  const input = createHmac('sha256', 'bench').update('password').digest('hex');
  bcrypt.hashSync(input, cost); // load and warm
  const times = [];
  for (let index = 0; index < count; index++) {
    const started = performance.now();
    bcrypt.hashSync(input, cost);
    times.push(performance.now() - started);
  }
  const hashMs = median(times);
  const cores = availableParallelism();
  // The server hashes on HASH_CONCURRENCY threads, by default one fewer than the cores (issue 15):
  // its bound is that many hashes at a time. The all-cores figure is kept for comparison.
  const threads = Math.max(1, cores - 1);
  return {
    cost,
    cores,
    threads,
    hashes: count,
    hashMs,
    timesMs: times,
    rps: threads / (hashMs / 1000),
    allCoresRps: cores / (hashMs / 1000),
  };
}

/** Flushes the seeding's dirty pages now rather than during the measurements (best effort). */
async function checkpoint(sql) {
  try {
    await sql.query('checkpoint');
  } catch {
    // needs superuser or pg_checkpoint; the measurements only get noisier without it
  }
}

const stamp = () => new Date().toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15);

// ----- the scenarios -----------------------------------------------------------------------------

const SEED_PASSWORD = 'bench-password-of-every-seeded-user';
const LOGIN_USERS_FROM = 101; // seeded users 101..164 log in; 1, 2 and 3 hold the `me` tokens
const LOGIN_USERS = 64;
const ME = { query: '{ me { id username email } }' };
const LOGIN = 'mutation Login($input: LoginInput!) { login(input: $input) { token } }';
const LOGIN_WITH_ACCESS = 'mutation Login($input: LoginInput!) { login(input: $input) { token accessToken } }';
const REGISTER = 'mutation Register($input: RegisterInput!) { register(input: $input) { token } }';
const USERS =
  'query Users($first: Int, $after: String, $search: String) { users(first: $first, after: $after, search: $search) { nodes { id username } pageInfo { hasNextPage endCursor } } }';
const PAGE_SIZE = 20;

/** As src/modules/user/user.service.ts encodeCursor: base64url of `u:` + the canonical username. */
const encodeCursor = (canonical) => Buffer.from(`u:${canonical}`, 'utf8').toString('base64url');

function buildScenarios(tag) {
  let logins = 0;
  let registrations = 0;
  const loginBody = () => ({
    query: LOGIN,
    variables: {
      input: { username: seedUsername(LOGIN_USERS_FROM + (logins++ % LOGIN_USERS)), password: SEED_PASSWORD },
    },
  });
  const registerBody = () => {
    // The counter in digits 2-9 only: no two names may look alike (0/o, 1/l are confusable, and a
    // look-alike of an existing username is refused as taken).
    const username = `r${tag}${(registrations++).toString(8).replace(/[0-7]/g, (digit) => String(Number(digit) + 2))}`;
    return {
      query: REGISTER,
      variables: {
        input: { username, email: `${username}@example.com`, password: 'Quiet-lantern-orbit-4817' },
      },
    };
  };
  const deepAfter = seedCanonical(sizes.users - 5 * PAGE_SIZE);
  const searchPrefix = seedCanonical(Math.floor(sizes.users / 2)).slice(0, -2); // 100 matching users
  const C = settings.connections;
  const L = settings.loginConnections;
  const big = sizes.bigSessions.toLocaleString('en-US');
  const scenarios = [
    {
      id: 'hello',
      title: 'baseline: bare Apollo { hello }',
      server: 'baseline',
      connections: C,
      body: { query: '{ hello }' },
    },
    {
      id: 'me',
      title: `me, ${sizes.baseSessions.toLocaleString('en-US')} sessions`,
      server: 'A',
      connections: C,
      auth: true,
      body: ME,
    },
    // The same data and token with the session cache off: every request asks the database.
    { id: 'me_nocache', title: 'me, session cache off', server: 'A0', connections: C, auth: true, body: ME },
    // The same `me` with an access token (JWT): signature check, then the session by id (issue 12).
    { id: 'me_jwt', title: `me with an access token (JWT)`, server: 'A', connections: C, auth: 'access', body: ME },
    { id: 'me_big', title: `me, ${big} sessions`, server: 'B', connections: C, auth: true, body: ME },
    { id: 'login', title: 'login', server: 'C', connections: L, nextBody: loginBody },
    { id: 'register', title: 'register (unique names)', server: 'C', connections: L, nextBody: registerBody },
    { id: 'me_idle', title: `me, ${big} sessions (idle ref.)`, server: 'C', connections: C, auth: true, body: ME },
    {
      id: 'me_flood',
      title: `me during a login flood (+${L} conns)`,
      server: 'C',
      connections: C,
      auth: true,
      body: ME,
      flood: { connections: L, nextBody: loginBody },
    },
    {
      id: 'users_first',
      title: `users(first: ${PAGE_SIZE}) first page`,
      server: 'C',
      connections: C,
      auth: true,
      body: { query: USERS, variables: { first: PAGE_SIZE } },
    },
    {
      id: 'users_deep',
      title: `users deep page (after ${deepAfter})`,
      server: 'C',
      connections: C,
      auth: true,
      body: { query: USERS, variables: { first: PAGE_SIZE, after: encodeCursor(deepAfter) } },
    },
    {
      id: 'users_search',
      title: `users(search: "${searchPrefix}")`,
      server: 'C',
      connections: C,
      auth: true,
      body: { query: USERS, variables: { first: PAGE_SIZE, search: searchPrefix } },
    },
  ];
  return { scenarios, deepAfter, searchPrefix };
}

// ----- one backend (PostgreSQL or PGlite) ----------------------------------------------------------

async function prepareData(kind, runStamp) {
  const data = { kind };
  if (kind === 'postgres') {
    const maintenanceUrl = /^postgres(ql)?:\/\//i.test(process.env.DATABASE_URL ?? '')
      ? process.env.DATABASE_URL
      : DEFAULT_POSTGRES;
    const nameA = `authapi_bench_${runStamp}`;
    const nameB = `${nameA}_sessions`;
    await createDatabase(maintenanceUrl, nameA);
    cleanups.push(() => dropDatabase(maintenanceUrl, nameA));
    data.a = { kind, url: withDatabase(maintenanceUrl, nameA), name: nameA };
    data.b = { kind, url: withDatabase(maintenanceUrl, nameB), name: nameB };
    data.a.appUrl = data.a.url;
    data.b.appUrl = data.b.url;
    data.c = data.b; // server C shares B's database (PostgreSQL serves many clients)
    data.copyBToC = async () => {};
    data.copyAToB = async () => {
      await createDatabase(maintenanceUrl, nameB, nameA);
      cleanups.push(() => dropDatabase(maintenanceUrl, nameB));
    };
    data.version = (await serverVersion({ kind, url: maintenanceUrl })).split(' on ')[0];
    log(`  databases ${nameA} and ${nameB} (dropped at the end)`);
  } else {
    const dir = await mkdtemp(join(tmpdir(), 'authapi-bench-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    data.a = { kind, dataDir: join(dir, 'a'), appUrl: `pglite://${join(dir, 'a')}` };
    data.b = { kind, dataDir: join(dir, 'b'), appUrl: `pglite://${join(dir, 'b')}` };
    data.c = { kind, dataDir: join(dir, 'c'), appUrl: `pglite://${join(dir, 'c')}` };
    data.copyAToB = () => cp(data.a.dataDir, data.b.dataDir, { recursive: true });
    // PGlite is one process's database: server C gets its own copy of B.
    data.copyBToC = () => cp(data.b.dataDir, data.c.dataDir, { recursive: true });
    data.version = 'PGlite';
    log(`  PGlite data directories under ${dir} (removed at the end)`);
  }
  const timings = {};

  let started = performance.now();
  log('  migrating (npm run migrate equivalent)…');
  await runNode(['dist/cli/migrate.js'], { DATABASE_URL: data.a.appUrl, NODE_ENV: 'production', LOG_LEVEL: 'warn' });
  timings.migrateS = (performance.now() - started) / 1000;

  const seedHash = await hashPassword(SEED_PASSWORD, settings.bcryptCost);
  const sqlA = await openSql(data.a);
  let plans;
  try {
    if (kind === 'pglite') {
      const [row] = await sqlA.query('select version() as version');
      data.version = `PGlite (${row.version.split(' on ')[0]}, WebAssembly)`;
    }
    log(
      `  seeding A: ${sizes.users.toLocaleString('en-US')} users, ${sizes.baseSessions.toLocaleString('en-US')} sessions`,
    );
    timings.seedUsersS = await seedUsers(sqlA, sizes.users, seedHash, log);
    timings.seedBaseSessionsS = await seedSessions(sqlA, 1, sizes.baseSessions, sizes.users, log);
    started = performance.now();
    timings.vacuumAS = await vacuumAnalyze(sqlA, ['users', 'sessions']);
    await checkpoint(sqlA);
    log(`    vacuum (analyze): ${timings.vacuumAS.toFixed(1)} s`);
    data.countsA = await tableCounts(sqlA);
    const { deepAfter, searchPrefix } = buildScenarios('x');
    const queries = planQueries({ deepAfter, searchPrefix, pageSize: PAGE_SIZE });
    plans = {};
    for (const [name, query] of Object.entries(queries)) plans[name] = await explain(sqlA, query);
  } finally {
    await sqlA.close();
  }

  started = performance.now();
  await data.copyAToB();
  timings.copyS = (performance.now() - started) / 1000;
  log(
    `  copied A to B in ${timings.copyS.toFixed(1)} s; seeding B up to ${sizes.bigSessions.toLocaleString('en-US')} sessions`,
  );
  const sqlB = await openSql(data.b);
  const sessionPlans = {};
  try {
    if (sizes.bigSessions > sizes.baseSessions) {
      timings.seedBigSessionsS = await seedSessions(sqlB, sizes.baseSessions + 1, sizes.bigSessions, sizes.users, log);
    }
    timings.vacuumBS = await vacuumAnalyze(sqlB, ['sessions']);
    await checkpoint(sqlB);
    data.countsB = await tableCounts(sqlB);
    // A seeded token's digest: the lookup every `me` runs, on the big sessions table.
    const digest = createHash('sha256').update(`seed${sizes.bigSessions}`).digest();
    sessionPlans[`session lookup (${sizes.bigSessions.toLocaleString('en-US')} sessions)`] = await explain(
      sqlB,
      sessionLookupQuery(digest),
    );
  } finally {
    await sqlB.close();
  }
  started = performance.now();
  await data.copyBToC();
  timings.copyCS = (performance.now() - started) / 1000;
  return { data, plans, sessionPlans, timings };
}

async function measureBackend(kind, bcryptBound, runStamp) {
  const label = kind === 'postgres' ? 'PostgreSQL (real server, over TCP)' : 'PGlite (embedded, in the server process)';
  log('');
  log(`### ${label}`);
  const backendStarted = performance.now();
  const { data, plans, sessionPlans, timings } = await prepareData(kind, runStamp);
  const fullLabel = `${label}: ${data.version}`;

  const serverEnv = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    MIGRATE_ON_START: 'true',
    BCRYPT_COST: String(settings.bcryptCost),
    REGISTRATIONS_PER_IP: '100000000',
    LOGIN_FAILURES_PER_IP: '100000000',
    HASH_QUEUE_MAX: '100000',
    // A full run outlasts the default 15-minute access token.
    ACCESS_TOKEN_TTL_SECONDS: '86400',
  };
  log('  starting the servers…');
  const startOne = async (name, script, env) => {
    const server = await startServer({ name, script, env, cwd: ROOT });
    cleanups.push(() => server.stop());
    return server;
  };
  // A0 shares A's database with the session cache off; an embedded data directory belongs to one
  // process, so on PGlite there is no A0 (and no me_nocache).
  const [baseline, serverA, serverA0, serverB, serverC] = await Promise.all([
    startOne('baseline', 'bench/baseline-server.mjs', { NODE_ENV: 'production', LOG_LEVEL: 'warn' }),
    startOne('server A', 'dist/main.js', { ...serverEnv, DATABASE_URL: data.a.appUrl }),
    kind === 'postgres'
      ? startOne('server A0', 'dist/main.js', { ...serverEnv, DATABASE_URL: data.a.appUrl, SESSION_CACHE_SECONDS: '0' })
      : null,
    startOne('server B', 'dist/main.js', { ...serverEnv, DATABASE_URL: data.b.appUrl }),
    startOne('server C', 'dist/main.js', { ...serverEnv, DATABASE_URL: data.c.appUrl }),
  ]);
  const servers = { baseline, A: serverA, ...(serverA0 ? { A0: serverA0 } : {}), B: serverB, C: serverC };
  const idleRss = Object.fromEntries(Object.entries(servers).map(([name, server]) => [name, server.rss()]));
  log(
    `  ready (idle RSS): ${Object.entries(servers)
      .map(([name, server]) => `${name} ${server.url} (${Math.round(idleRss[name] / 1048576)} MB)`)
      .join(', ')}`,
  );

  const accessTokens = {};
  const tokenFor = async (server, n, name) => {
    const variables = { input: { username: seedUsername(n), password: SEED_PASSWORD } };
    const { token, accessToken } = (await graphql(server.url, LOGIN_WITH_ACCESS, variables)).login;
    for (const credential of [token, accessToken]) {
      const check = await graphql(server.url, ME.query, {}, credential);
      if (check.me.username !== seedUsername(n)) throw new Error(`me answered ${JSON.stringify(check)}`);
    }
    accessTokens[name] = accessToken;
    return token;
  };
  const tokens = {
    A: await tokenFor(serverA, 1, 'A'),
    ...(serverA0 ? { A0: await tokenFor(serverA0, 1, 'A0') } : {}),
    B: await tokenFor(serverB, 2, 'B'),
    C: await tokenFor(serverC, 3, 'C'),
  };

  const only = flags.only ? new Set(flags.only.split(',').map((id) => id.trim())) : null;
  const scenarios = buildScenarios(`${Date.now().toString(36)}${kind[1]}`).scenarios.filter(
    (scenario) => (!only || only.has(scenario.id)) && servers[scenario.server],
  );
  if (scenarios.length === 0) throw new Error(`--only ${flags.only} names no scenario`);
  const runStep = async (scenario, duration) => {
    const server = servers[scenario.server];
    const token =
      scenario.server === 'baseline' ? null : (scenario.auth === 'access' ? accessTokens : tokens)[scenario.server];
    const rss = sampleRss(server.pid);
    const cpu = cpuAccounting(Object.values(servers).map((each) => each.pid));
    const load = (connections, body, nextBody, auth) =>
      runLoad({ url: server.url, connections, duration, token: auth, body, nextBody });
    const [main, flood] = await Promise.all([
      load(scenario.connections, scenario.body, scenario.nextBody, scenario.auth ? token : null),
      scenario.flood ? load(scenario.flood.connections, undefined, scenario.flood.nextBody, null) : null,
    ]);
    const result = { ...main, rss: rss.stop(), cpu: cpu.stop(), flood: flood ?? undefined };
    if (main.problem) problem(`${kind} ${scenario.title}: ${main.problem}`);
    // A flood that completes nothing in a short step is starvation (a finding), not a failure.
    if (flood?.failed) problem(`${kind} login flood: ${flood.problem}`);
    for (const each of Object.values(servers)) {
      const exit = each.exitStatus();
      if (exit?.unexpected) {
        throw new Error(
          `${each.name} exited during "${scenario.title}" (code ${exit.code}, signal ${exit.signal}):\n${each.output().trim()}`,
        );
      }
    }
    await sleep(settings.pauseMs);
    return result;
  };

  if (settings.warmup > 0) {
    log(`  warm-up: ${settings.warmup} s per scenario`);
    for (const scenario of scenarios) await runStep(scenario, settings.warmup);
  }
  const rounds = [];
  for (let round = 1; round <= settings.rounds; round++) {
    const results = {};
    const line = [];
    const others = [];
    for (const scenario of scenarios) {
      results[scenario.id] = await runStep(scenario, settings.duration);
      line.push(`${scenario.id} ${Math.round(results[scenario.id].rps)}`);
      if (results[scenario.id].cpu) others.push(results[scenario.id].cpu.others);
    }
    rounds.push(results);
    const othersShare = median(others);
    log(
      `  round ${round}/${settings.rounds} (rps): ${line.join(', ')}` +
        (othersShare === null ? '' : ` [other processes: ${(othersShare * 100).toFixed(0)}% of the machine]`),
    );
  }

  for (const [name, server] of Object.entries(servers)) {
    const errors = server
      .output()
      .split('\n')
      .filter((text) => /"level":(50|60)/.test(text));
    if (errors.length)
      problem(`${kind} server ${name} logged ${errors.length} error(s); first: ${errors[0].slice(0, 400)}`);
  }
  await Promise.all(Object.values(servers).map((server) => server.stop()));
  for (const [name, server] of Object.entries(servers)) {
    const exit = server.exitStatus();
    if (exit && exit.code !== 0 && exit.signal === null)
      problem(`${kind} server ${name} exited ${exit.code} on SIGTERM`);
  }
  const finalCounts = {};
  for (const [name, target] of [['A', data.a], ['B', data.b], ...(data.c === data.b ? [] : [['C', data.c]])]) {
    const sql = await openSql(target);
    try {
      finalCounts[name] = await tableCounts(sql);
    } finally {
      await sql.close();
    }
  }

  const summary = summarise(scenarios, rounds);
  const previous = previousRun?.backends?.find((backend) => backend.kind === kind)?.summary ?? null;
  const targets = evaluateTargets({ kind, summary, bcryptBound, plans, sizes, previous });
  return {
    kind,
    label: fullLabel,
    version: data.version,
    sizes,
    settings,
    timings: { ...timings, totalS: (performance.now() - backendStarted) / 1000 },
    counts: { beforeA: data.countsA, beforeB: data.countsB, after: finalCounts },
    serverStartMs: Object.fromEntries(Object.entries(servers).map(([name, server]) => [name, server.startMs])),
    idleRss,
    plans,
    sessionPlans,
    summary,
    targets,
    rounds,
  };
}

// ----- main --------------------------------------------------------------------------------------

async function main() {
  const started = performance.now();
  const runStamp = stamp();
  const postgresUrl = /^postgres(ql)?:\/\//i.test(process.env.DATABASE_URL ?? '')
    ? process.env.DATABASE_URL
    : DEFAULT_POSTGRES;
  const reachable = flags.pglite ? false : await postgresReachable(postgresUrl);
  let kinds;
  if (flags.pglite && flags.postgres) kinds = ['postgres', 'pglite'];
  else if (flags.pglite) kinds = ['pglite'];
  else if (flags.postgres) {
    if (!reachable) throw new Error(`PostgreSQL is not reachable at ${new URL(postgresUrl).host}`);
    kinds = ['postgres'];
  } else if (smoke) kinds = [reachable ? 'postgres' : 'pglite'];
  else kinds = reachable ? ['postgres', 'pglite'] : ['pglite'];
  if (!reachable && !flags.pglite) log(`PostgreSQL is not reachable at ${new URL(postgresUrl).host}: PGlite only.`);

  const machine = {
    cpu: cpus()[0]?.model,
    cores: availableParallelism(),
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
  log(`authapi benchmark (${settings.mode}) — ${machine.cores} cores (${machine.cpu}), Node ${machine.node}`);
  log(
    `The load generator (autocannon, in this process), the server and the database share these ${machine.cores} cores.`,
  );
  const idleBefore = cpuTicks();
  await sleep(smoke ? 1000 : 2000);
  machine.busyBeforeStart = busyShare(idleBefore, cpuTicks());
  machine.loadAverageBeforeStart = loadAverage();
  if (machine.busyBeforeStart !== null) {
    log(
      `Before start, other processes kept ${(machine.busyBeforeStart * 100).toFixed(0)}% of the CPU busy ` +
        `(load average ${machine.loadAverageBeforeStart}).` +
        (machine.busyBeforeStart > 0.1 ? ' The machine is not idle: expect noisy figures.' : ''),
    );
  }
  const bcryptBound = measureBcrypt(settings.bcryptCost, smoke ? 3 : 7);
  log(
    `bcrypt bound: cost ${bcryptBound.cost}, one hash ${bcryptBound.hashMs.toFixed(1)} ms (median of ${bcryptBound.hashes}) → ` +
      `${bcryptBound.threads} hashing thread(s) (HASH_CONCURRENCY default: ${bcryptBound.cores} cores − 1) ÷ ` +
      `${bcryptBound.hashMs.toFixed(1)} ms = ${bcryptBound.rps.toFixed(1)} hashes/s ` +
      `(all ${bcryptBound.cores} cores: ${bcryptBound.allCoresRps.toFixed(1)})`,
  );

  const backends = [];
  for (const kind of kinds) {
    try {
      backends.push(await measureBackend(kind, bcryptBound, runStamp));
    } catch (error) {
      problem(`${kind}: ${error.stack ?? error.message}`);
    } finally {
      await runCleanups();
    }
  }

  for (const backend of backends) {
    log(formatBackend(backend));
    if (flags.verbose) {
      for (const [name, plan] of Object.entries({ ...backend.plans, ...backend.sessionPlans })) {
        log(`\n-- ${name}\n${plan.plan}`);
      }
    }
  }

  const results = {
    startedAt: new Date(Date.now() - (performance.now() - started)).toISOString(),
    wallS: (performance.now() - started) / 1000,
    mode: settings.mode,
    machine,
    settings,
    sizes,
    bcryptBound,
    previous: flags.previous ?? null,
    backends,
    problems,
    ok: problems.length === 0 && backends.length === kinds.length,
  };
  const dir = join(ROOT, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${runStamp}${smoke ? '-smoke' : ''}.json`);
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
  log('');
  log(`Results: ${file}`);
  log(`Wall time: ${results.wallS.toFixed(1)} s`);
  if (!results.ok) {
    log(`The harness hit ${problems.length} problem(s) (targets falling short are not problems):`);
    for (const each of problems) log(`  - ${each.split('\n')[0]}`);
    return 1;
  }
  log('Harness OK (targets that fall short are reported above; they do not fail the run).');
  return 0;
}

main().then(
  (code) => process.exit(code),
  async (error) => {
    console.error(error.stack ?? error.message);
    await runCleanups();
    process.exit(1);
  },
);
