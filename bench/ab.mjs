// A/B: `me` for two builds of the server, interleaved in one sitting, each on its own fresh
// PostgreSQL database, with the server's CPU time per request (robust to a busy machine, unlike
// requests per second). For comparing a change with an earlier commit built in another checkout:
//
//   node bench/ab.mjs --before /path/to/other/checkout [--rounds 6] [--duration 4]
//                     [--env SESSION_CACHE_SECONDS=0] [--prof]   (--prof: PROF_BUILD=before|after,
//                     profiles written to $CPU_PROFILE_DIR or bench/results/)
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { runLoad, median } from './load.mjs';
import { graphql, processTicks, startServer } from './servers.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values: flags } = parseArgs({
  options: {
    before: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '8' },
    connections: { type: 'string', default: '16' },
    prof: { type: 'boolean', default: false },
    env: { type: 'string', multiple: true, default: [] },
  },
});
const stamp = Date.now();
const extraEnv = Object.fromEntries(flags.env.map((pair) => pair.split(/=(.*)/s).slice(0, 2)));
const builds = [...(flags.before ? [{ name: 'before', root: flags.before }] : []), { name: 'after', root: ROOT }];
const servers = [];
try {
  for (const build of builds) {
    const database = `authapi_ab_${stamp}_${build.name}`;
    execFileSync('createdb', ['-h', '127.0.0.1', '-U', 'postgres', database]);
    build.database = database;
    const server = await startServer({
      name: build.name,
      script: join(build.root, 'dist/main.js'),
      cwd: build.root,
      env: {
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        MIGRATE_ON_START: 'true',
        BCRYPT_COST: '4',
        DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${database}`,
        ...extraEnv,
        ...(flags.prof && build.name === (process.env.PROF_BUILD ?? 'after')
          ? {
              NODE_OPTIONS: `--require ${join(ROOT, 'bench/cpu-profile.cjs')}`,
              CPU_PROFILE_DIR: process.env.CPU_PROFILE_DIR ?? join(ROOT, 'bench/results'),
            }
          : {}),
      },
    });
    servers.push(server);
    const data = await graphql(server.url, 'mutation($input: RegisterInput!) { register(input: $input) { token } }', {
      input: { username: 'benchuser', email: 'bench@example.com', password: 'correct horse battery staple' },
    });
    build.server = server;
    build.token = data.register.token;
  }
  const results = Object.fromEntries(builds.map((build) => [build.name, []]));
  const cpu = Object.fromEntries(builds.map((build) => [build.name, []]));
  const body = { query: '{ me { id username email } }' };
  const total = Object.fromEntries(builds.map((build) => [build.name, 0]));
  for (const build of builds) {
    total[build.name] += (
      await runLoad({ url: build.server.url, connections: 16, duration: 3, token: build.token, body })
    ).completed;
  }
  for (let round = 1; round <= Number(flags.rounds); round++) {
    for (const build of round % 2 ? builds : [...builds].reverse()) {
      const ticks = processTicks(build.server.pid);
      const result = await runLoad({
        url: build.server.url,
        connections: Number(flags.connections),
        duration: Number(flags.duration),
        token: build.token,
        body,
      });
      if (result.non2xx || result.errors || result.mismatches) throw new Error(`${build.name}: failures`);
      results[build.name].push(Math.round(result.rps));
      total[build.name] += result.completed;
      // CPU time of the server process per request (clock ticks of 10 ms): robust to a busy machine.
      cpu[build.name].push(Math.round(((processTicks(build.server.pid) - ticks) * 10_000) / result.completed));
    }
    console.log(
      `round ${round}: ${builds.map((b) => `${b.name} ${results[b.name].at(-1)} rps, ${cpu[b.name].at(-1)} µs CPU/request`).join('; ')}`,
    );
  }
  for (const build of builds)
    console.log(
      `${build.name}: median ${median(results[build.name])} rps, ${median(cpu[build.name])} µs CPU/request (${total[build.name]} requests in all)`,
    );
} finally {
  for (const server of servers) await server.stop();
  for (const build of builds) {
    if (build.database) execFileSync('dropdb', ['-h', '127.0.0.1', '-U', 'postgres', '--if-exists', build.database]);
  }
}
