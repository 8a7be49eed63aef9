#!/usr/bin/env node
// Does login's timing reveal whether an account exists? Starts the built server (embedded
// database in memory, production mode), registers one user, then times `login` with a wrong
// password for that user and for unknown names, interleaved, over HTTP. Passes when the median
// gap is within max(5 ms, 5 %). Throttling is lifted for the run (it would answer early).
//
//   npm run build && node bench/login-timing.mjs [--tries 200] [--bcrypt-cost 12]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { tries: { type: 'string', default: '200' }, 'bcrypt-cost': { type: 'string', default: '12' } },
});
const tries = Number(values.tries);
const LOGIN = 'mutation ($input: LoginInput!) { login(input: $input) { token } }';
const REGISTER = 'mutation ($input: RegisterInput!) { register(input: $input) { token } }';

const server = spawn(process.execPath, ['dist/main.js'], {
  env: {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: 'pglite://memory',
    BCRYPT_COST: values['bcrypt-cost'],
    LOGIN_DELAY_AFTER_FAILURES: '1000000000',
    LOGIN_FAILURES_PER_ACCOUNT: '1000000000',
    LOGIN_FAILURES_PER_IP: '1000000000',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
let url;
let buffered = '';
server.stdout.on('data', (chunk) => {
  buffered += chunk;
  url ??= /"url":"([^"]+)"/.exec(buffered)?.[1];
});
const started = Date.now();
while (!url) {
  if (Date.now() - started > 30000 || server.exitCode !== null) throw new Error(`server did not start:\n${buffered}`);
  await new Promise((resolve) => setTimeout(resolve, 50));
}

async function post(query, variables) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return response.json();
}

const median = (list) => {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

try {
  const account = { username: 'timing-check', email: 'timing@example.com', password: 'Correct-Horse-Timing-42' };
  const registered = await post(REGISTER, { input: account });
  if (registered.errors) throw new Error(JSON.stringify(registered.errors));
  const timings = { existing: [], unknown: [] };
  const attempt = async (kind, index) => {
    const username = kind === 'existing' ? account.username : `nobody-${index}`;
    const begin = process.hrtime.bigint();
    const result = await post(LOGIN, { input: { username, password: `Wrong-Password-${index}` } });
    const elapsed = Number(process.hrtime.bigint() - begin) / 1e6;
    if (result.errors?.[0]?.extensions?.code !== 'UNAUTHENTICATED') throw new Error(JSON.stringify(result));
    timings[kind].push(elapsed);
  };
  for (let index = 0; index < 5; index++) await attempt(index % 2 ? 'existing' : 'unknown', index); // warm-up
  timings.existing.length = timings.unknown.length = 0;
  for (let index = 0; index < tries; index++) {
    // Interleaved, alternating which goes first, so drift on a shared machine hits both alike.
    const order = index % 2 ? ['existing', 'unknown'] : ['unknown', 'existing'];
    for (const kind of order) await attempt(kind, index);
  }
  const existing = median(timings.existing);
  const unknown = median(timings.unknown);
  const gap = Math.abs(existing - unknown);
  const allowed = Math.max(5, 0.05 * Math.max(existing, unknown));
  const report = {
    tries,
    bcryptCost: Number(values['bcrypt-cost']),
    medianMsExistingUserWrongPassword: Number(existing.toFixed(2)),
    medianMsUnknownUser: Number(unknown.toFixed(2)),
    gapMs: Number(gap.toFixed(2)),
    allowedGapMs: Number(allowed.toFixed(2)),
    verdict: gap <= allowed ? 'PASS' : 'FALLS SHORT',
  };
  console.log(JSON.stringify(report, null, 2));
} finally {
  server.kill('SIGTERM');
  await once(server, 'exit');
}
