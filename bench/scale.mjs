// Scaling figures (issue 15): `me` throughput direct to one server process, and through HAProxy
// in front of 1, 2 and 3 processes, all on one throwaway PostgreSQL database on this machine.
// Steps are interleaved over rounds (direct, 1, 2, 3, direct, 1, …) so that drift in the
// machine's load spreads over every configuration; the medians are reported.
//
//   npm run build && node bench/scale.mjs [--rounds 3] [--duration 10] [--warmup 3] [--connections 16]
//
// Needs Debian's HAProxy (/usr/sbin/haproxy) and a PostgreSQL server: DATABASE_URL if it is a
// postgres:// URL, else postgres://postgres@127.0.0.1:5432/postgres (the bench creates and drops
// its own database there). Writes bench/results/scale-<timestamp>.json.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createDatabase, dropDatabase, serverVersion, withDatabase } from './database.mjs';
import { median, runLoad } from './load.mjs';
import { cpuAccounting, cpuTicks, freePort, graphql, loadAverage, processTicks, startServer } from './servers.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HAPROXY = '/usr/sbin/haproxy';
const DEFAULT_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';
const PROCESSES = 3;
const ME = { query: '{ me { id username email } }' };
const REGISTER = 'mutation Register($input: RegisterInput!) { register(input: $input) { token } }';

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '16' },
  },
  strict: true,
});
const settings = Object.fromEntries(
  Object.entries(flags).map(([name, raw]) => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1 || value > 1000) {
      console.error(`--${name} must be a whole number from 1 to 1000 (got "${raw}")`);
      process.exit(2);
    }
    return [name, value];
  }),
);

if (!existsSync(join(ROOT, 'dist', 'main.js'))) {
  console.error('dist/main.js is missing: run `npm run build` first.');
  process.exit(2);
}
if (!existsSync(HAPROXY)) {
  console.error(`${HAPROXY} is missing: apt-get install -y --no-install-recommends haproxy`);
  process.exit(2);
}

const cleanups = [];
async function runCleanups() {
  while (cleanups.length) {
    try {
      await cleanups.pop()();
    } catch (error) {
      console.error(`cleanup failed: ${error.message}`);
    }
  }
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => runCleanups().finally(() => process.exit(130)));
}

/** The README's settings (as the scale-out test uses them), without the per-request log. */
function haproxyConfig(port, backends) {
  return [
    'global',
    '  maxconn 2000',
    'defaults',
    '  mode http',
    '  timeout connect 1s',
    '  timeout client 30s',
    '  timeout server 30s',
    '  timeout http-keep-alive 10s',
    'frontend api',
    `  bind 127.0.0.1:${port}`,
    '  option forwardfor',
    '  default_backend authapi',
    'backend authapi',
    '  balance roundrobin',
    '  option httpchk GET /readyz',
    '  http-check expect status 200',
    '  timeout check 2s',
    '  default-server inter 250ms fall 2 rise 2',
    '  retries 3',
    '  retry-on conn-failure empty-response',
    '  option redispatch 1',
    ...backends.map((server, index) => `  server app${index + 1} 127.0.0.1:${server.port} check`),
    '',
  ].join('\n');
}

async function startHaproxy(dir, backends) {
  const port = await freePort();
  const file = join(dir, `haproxy-${backends.length}.cfg`);
  await writeFile(file, haproxyConfig(port, backends));
  const child = spawn(HAPROXY, ['-db', '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  cleanups.push(async () => {
    child.kill('SIGTERM');
    await exited;
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  // Ready when every backend has answered through it (round robin: as many requests as backends).
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await globalThis.fetch(`http://127.0.0.1:${port}/readyz`);
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (attempt > 100) throw new Error(`HAProxy with ${backends.length} backends did not start:\n${output}`);
    await sleep(100);
  }
  await sleep(1000); // every backend's health checks have passed (rise 2 × 250 ms)
  return { pid: child.pid, url, processes: backends.length };
}

const log = (line = '') => console.log(line);
const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15);

async function main() {
  const maintenanceUrl = /^postgres(ql)?:\/\//i.test(process.env.DATABASE_URL ?? '')
    ? process.env.DATABASE_URL
    : DEFAULT_POSTGRES;
  const database = `authapi_bench_scale_${stamp}`;
  await createDatabase(maintenanceUrl, database);
  cleanups.push(() => dropDatabase(maintenanceUrl, database));
  const postgres = (await serverVersion({ kind: 'postgres', url: maintenanceUrl })).split(' on ')[0];
  const dir = await mkdtemp(join(tmpdir(), 'authapi-bench-scale-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));

  const env = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: withDatabase(maintenanceUrl, database),
    BCRYPT_COST: '4',
    SECRET_KEY: randomBytes(32).toString('base64'),
    REGISTRATIONS_PER_IP: '1000000',
  };
  // The first one applies the migrations, the others then start together.
  const servers = [await startServer({ name: 'app1', script: 'dist/main.js', env, cwd: ROOT })];
  cleanups.push(() => servers[0].stop());
  for (const index of [2, 3].slice(0, PROCESSES - 1)) {
    const server = await startServer({ name: `app${index}`, script: 'dist/main.js', env, cwd: ROOT });
    cleanups.push(() => server.stop());
    servers.push(server);
  }
  const suffix = randomBytes(4).toString('hex');
  const { register } = await graphql(servers[0].url, REGISTER, {
    input: { username: `scale${suffix}`, email: `scale${suffix}@example.com`, password: 'Quiet-lantern-orbit-4817' },
  });

  const targets = [{ id: 'direct', title: 'direct to 1 process', url: servers[0].url, processes: 1, pid: null }];
  for (let count = 1; count <= PROCESSES; count++) {
    const proxy = await startHaproxy(dir, servers.slice(0, count));
    targets.push({ id: `haproxy_${count}`, title: `HAProxy → ${count} process${count > 1 ? 'es' : ''}`, ...proxy });
  }

  log(`me throughput, ${settings.connections} connections, ${settings.rounds} rounds of ${settings.duration} s`);
  log(`${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${postgres}, load average ${loadAverage()}`);
  const warmup = Math.min(settings.warmup, settings.duration);
  for (const target of targets) {
    await runLoad({
      url: target.url,
      connections: settings.connections,
      duration: warmup,
      token: register.token,
      body: ME,
    });
  }
  const steps = Object.fromEntries(targets.map((target) => [target.id, []]));
  for (let round = 1; round <= settings.rounds; round++) {
    for (const target of targets) {
      const serverPids = servers.slice(0, target.processes).map((server) => server.pid);
      const cpu = cpuAccounting(serverPids);
      const before = { machine: cpuTicks(), haproxy: target.pid ? processTicks(target.pid) : 0 };
      const result = await runLoad({
        url: target.url,
        connections: settings.connections,
        duration: settings.duration,
        token: register.token,
        body: ME,
      });
      const share = cpu.stop();
      const machineTicks = (cpuTicks()?.total ?? 0) - (before.machine?.total ?? 0);
      if (share && target.pid && machineTicks > 0) {
        // HAProxy's share of the machine; accounting counted it among the "others".
        share.haproxy = (processTicks(target.pid) - before.haproxy) / machineTicks;
        share.others = Math.max(0, share.others - share.haproxy);
      }
      steps[target.id].push({ ...result, cpu: share, loadAverage: loadAverage() });
      log(
        `  round ${round}  ${target.title.padEnd(22)} ${result.rps.toFixed(0).padStart(6)} req/s  p50 ${result.p50?.toFixed(1)} ms  p99 ${result.p99?.toFixed(1)} ms` +
          (result.problem ? `  !! ${result.problem}` : ''),
      );
      await sleep(1000);
    }
  }

  const summary = targets.map((target) => {
    const runs = steps[target.id];
    const cpuMedian = (key) => median(runs.map((run) => run.cpu?.[key]));
    return {
      id: target.id,
      title: target.title,
      processes: target.processes,
      rps: median(runs.map((run) => run.rps)),
      p50: median(runs.map((run) => run.p50)),
      p99: median(runs.map((run) => run.p99)),
      failed: runs.reduce((sum, run) => sum + run.failed, 0),
      cpu: {
        busy: cpuMedian('busy'),
        servers: cpuMedian('servers'),
        postgres: cpuMedian('postgres'),
        haproxy: cpuMedian('haproxy'),
        bench: cpuMedian('bench'),
        others: cpuMedian('others'),
      },
    };
  });
  log('');
  log(
    '| configuration | me req/s (median) | p50 ms | p99 ms | machine busy | servers | PostgreSQL | HAProxy | load generator |',
  );
  log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  const percent = (value) => (value === null || value === undefined ? '–' : `${Math.round(value * 100)} %`);
  for (const row of summary) {
    log(
      `| ${row.title} | ${row.rps.toFixed(0)} | ${row.p50?.toFixed(1)} | ${row.p99?.toFixed(1)} | ${percent(row.cpu.busy)} | ${percent(row.cpu.servers)} | ${percent(row.cpu.postgres)} | ${percent(row.cpu.haproxy)} | ${percent(row.cpu.bench)} |`,
    );
  }
  const failed = summary.reduce((sum, row) => sum + row.failed, 0);
  if (failed > 0) log(`!! ${failed} requests failed: see the JSON`);

  const output = {
    kind: 'scale',
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model ?? null,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      postgres,
      haproxy: HAPROXY,
      loadAverageAtEnd: loadAverage(),
    },
    settings: { ...settings, scenario: 'me with a session token' },
    summary,
    steps,
  };
  await mkdir(join(ROOT, 'bench', 'results'), { recursive: true });
  const file = join(ROOT, 'bench', 'results', `scale-${stamp}.json`);
  await writeFile(file, `${JSON.stringify(output, null, 2)}\n`);
  log(`\nwritten to ${file}`);
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(runCleanups);
