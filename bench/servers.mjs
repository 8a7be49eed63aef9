// Child processes under test: the real server (dist/main.js) and the baseline server, each on a
// free loopback port, with readiness polling, RSS sampling from /proc and a clean stop.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { clearInterval, setInterval } from 'node:timers';

const HOST = '127.0.0.1';
const OUTPUT_KEEP_CHARS = 20_000;

export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Resident set size of a process in bytes (VmRSS), or null when it is gone. */
export function readRss(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Samples a process's RSS every intervalMs until stop() is called; returns { max, median, samples }. */
export function sampleRss(pid, intervalMs = 200) {
  const samples = [];
  const take = () => {
    const rss = readRss(pid);
    if (rss !== null) samples.push(rss);
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      const sorted = [...samples].sort((a, b) => a - b);
      return {
        max: sorted.at(-1) ?? null,
        median: sorted.length ? sorted[Math.floor(sorted.length / 2)] : null,
        samples: samples.length,
      };
    },
  };
}

/**
 * Starts `node <script>` with the given environment (PORT and HOST are filled in) and waits until
 * GET /healthz answers 200. Rejects with the child's output if it exits or does not become ready.
 */
export async function startServer({ name, script, env, cwd, readyTimeoutMs = 120_000 }) {
  const port = await freePort();
  const child = spawn(process.execPath, [script], {
    cwd,
    env: { ...process.env, ...env, PORT: String(port), HOST },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_KEEP_CHARS);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  const exitPromise = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    });
  });
  const base = `http://${HOST}:${port}`;
  const started = performance.now();
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exited) {
      throw new Error(
        `${name} exited during start (code ${exited.code}, signal ${exited.signal}). Its output:\n${output.trim()}`,
      );
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not answer /healthz within ${readyTimeoutMs} ms. Its output:\n${output.trim()}`);
    }
    try {
      const response = await globalThis.fetch(`${base}/healthz`);
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  const startMs = performance.now() - started;
  let stopping = false;
  return {
    name,
    pid: child.pid,
    port,
    url: `${base}/graphql`,
    startMs,
    /** The process's output so far (the last 20k characters). */
    output: () => output,
    /** Non-null if the child has exited; `unexpected` is true when we did not ask it to stop. */
    exitStatus: () => (exited ? { ...exited, unexpected: !stopping } : null),
    rss: () => readRss(child.pid),
    async stop(timeoutMs = 15_000) {
      stopping = true;
      if (exited) return exited;
      child.kill('SIGTERM');
      const result = await Promise.race([exitPromise, sleep(timeoutMs).then(() => null)]);
      if (result) return result;
      child.kill('SIGKILL');
      return exitPromise;
    },
  };
}

/** POSTs one GraphQL operation; throws on a transport error, a non-200 status or GraphQL errors. */
export async function graphql(url, query, variables = {}, token = null) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Token ${token}`;
  const response = await globalThis.fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${url} answered ${response.status} with a non-JSON body: ${text.slice(0, 300)}`);
  }
  if (response.status !== 200 || body.errors) {
    throw new Error(`${url} answered ${response.status}: ${JSON.stringify(body.errors ?? body).slice(0, 500)}`);
  }
  return body.data;
}

/** Whole-machine CPU counters from /proc/stat: { busy, total } in clock ticks (null off Linux). */
export function cpuTicks() {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((sum, value) => sum + value, 0);
    const idle = fields[3] + (fields[4] ?? 0); // idle + iowait
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/** The share of all cores that was busy between two cpuTicks() readings, 0–1. */
export function busyShare(before, after) {
  if (!before || !after || after.total === before.total) return null;
  return (after.busy - before.busy) / (after.total - before.total);
}

/** The 1-minute load average, or null. */
export function loadAverage() {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    return null;
  }
}

/** CPU time (user + system, in clock ticks) a process has used so far, or 0 when it is gone. */
export function processTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
  } catch {
    return 0;
  }
}

/** CPU ticks of each process named `postgres` (the PostgreSQL server and its backends), by pid. */
export function postgresTicks() {
  const ticks = new Map();
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') ticks.set(entry, processTicks(entry));
      } catch {
        // exited meanwhile
      }
    }
  } catch {
    // no /proc
  }
  return ticks;
}

/** Ticks used between two postgresTicks() readings by the processes alive at the second one. */
function postgresDelta(before, after) {
  let total = 0;
  for (const [pid, ticks] of after) total += Math.max(0, ticks - (before.get(pid) ?? 0));
  return total;
}

/**
 * Where the machine's CPU went during a step: the bench process (load generator), the servers,
 * PostgreSQL (all of its processes, so other clients of the same server count here too), and
 * everything else ("others": work that is not part of this benchmark). Shares of the whole machine
 * (all cores = 1).
 */
export function cpuAccounting(serverPids) {
  const read = () => ({
    machine: cpuTicks(),
    bench: processTicks(process.pid),
    servers: serverPids.reduce((sum, pid) => sum + processTicks(pid), 0),
    postgres: postgresTicks(),
  });
  const before = read();
  return {
    stop() {
      const after = read();
      if (!before.machine || !after.machine || after.machine.total === before.machine.total) return null;
      const total = after.machine.total - before.machine.total;
      const share = (key) => (after[key] - before[key]) / total;
      const busy = (after.machine.busy - before.machine.busy) / total;
      const postgres = postgresDelta(before.postgres, after.postgres) / total;
      const result = { busy, bench: share('bench'), servers: share('servers'), postgres };
      result.others = Math.max(0, busy - result.bench - result.servers - result.postgres);
      return result;
    },
  };
}
