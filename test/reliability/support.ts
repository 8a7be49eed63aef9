import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants as fsConstants, existsSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest, type Agent } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';

// Drives the COMPILED server (dist/main.js) as real OS processes, configured only through the
// environment, plus a private PostgreSQL cluster per test file that can be stopped and restarted
// without touching the machine's own server.

export const ROOT = resolve(__dirname, '../..');
const MAIN = join(ROOT, 'dist', 'main.js');
export const PG_BIN = '/usr/lib/postgresql/15/bin';

// ---------------------------------------------------------------------------------------------
// Small utilities

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/** A TCP port nobody listens on right now (bound to 0, read back, released). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `authapi-rel-${prefix}-`));
}

/** Polls until check() returns a truthy value; throws with the last error after timeoutMs. */
export async function eventually<T>(
  check: () => Promise<T | undefined | null | false>,
  timeoutMs: number,
  intervalMs = 250,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`,
      );
    }
    await sleep(intervalMs);
  }
}

export function uniqueUser(prefix = 'rel') {
  const suffix = randomBytes(5).toString('hex');
  return {
    username: `${prefix}${suffix}`,
    email: `${prefix}${suffix}@example.com`,
    password: `Vivid-Copper-${randomBytes(4).toString('hex')}-Lantern`,
  };
}

// ---------------------------------------------------------------------------------------------
// The server process

/** Throttle limits no reliability test reaches by accident. */
export const GENEROUS_LIMITS = {
  REGISTRATIONS_PER_IP: '1000000',
  LOGIN_FAILURES_PER_IP: '1000000',
  LOGIN_FAILURES_PER_ACCOUNT: '1000000',
};

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class ServerProcess {
  readonly stdoutLines: string[] = [];
  private stderrText = '';
  private partialStdout = '';
  readonly exited: Promise<ExitInfo>;
  exitInfo: ExitInfo | null = null;
  /** The URL from the "GraphQL API ready at" line, once seen. */
  url = '';

  constructor(
    readonly child: ChildProcess,
    readonly port: number,
    readonly env: Record<string, string>,
  ) {
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      const parts = (this.partialStdout + chunk).split('\n');
      this.partialStdout = parts.pop() ?? '';
      this.stdoutLines.push(...parts.filter((line) => line.length > 0));
    });
    child.stderr!.on('data', (chunk: string) => {
      this.stderrText += chunk;
    });
    this.exited = new Promise((done) => {
      child.once('close', (code, signal) => {
        if (this.partialStdout) this.stdoutLines.push(this.partialStdout);
        this.partialStdout = '';
        this.exitInfo = { code, signal };
        done(this.exitInfo);
      });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get graphqlUrl(): string {
    return `${this.baseUrl}/graphql`;
  }

  get stderr(): string {
    return this.stderrText;
  }

  get stdout(): string {
    return this.stdoutLines.join('\n');
  }

  /** stdout's JSON lines, parsed (anything that is not JSON is skipped). */
  logs(): Record<string, any>[] {
    const parsed: Record<string, any>[] = [];
    for (const line of this.stdoutLines) {
      try {
        parsed.push(JSON.parse(line));
      } catch {
        // not a JSON log line
      }
    }
    return parsed;
  }

  isAlive(): boolean {
    if (this.exitInfo || this.child.exitCode !== null || this.child.signalCode !== null) return false;
    try {
      process.kill(this.pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  describe(): string {
    return `pid ${this.pid}, port ${this.port}\n--- stdout ---\n${this.stdout.slice(-4000)}\n--- stderr ---\n${this.stderr.slice(-4000)}`;
  }

  async waitForLog(predicate: (line: Record<string, any>) => boolean, timeoutMs = 5000): Promise<Record<string, any>> {
    return eventually(async () => this.logs().find(predicate), timeoutMs, 50, 'a log line');
  }

  /** Resolves once the ready line is printed; rejects if the process exits first or is too slow. */
  async waitForReady(timeoutMs = 45_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const ready = this.logs().find(
        (line) => typeof line.msg === 'string' && line.msg.startsWith('GraphQL API ready at'),
      );
      if (ready) {
        this.url = ready.url;
        return;
      }
      if (this.exitInfo)
        throw new Error(`Server exited before it was ready (${JSON.stringify(this.exitInfo)})\n${this.describe()}`);
      await sleep(50);
    }
    throw new Error(`Server not ready after ${timeoutMs} ms\n${this.describe()}`);
  }

  /** Resolves with the exit, or rejects after timeoutMs (the process is left running). */
  async waitForExit(timeoutMs: number): Promise<ExitInfo> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Server did not exit within ${timeoutMs} ms\n${this.describe()}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends the signal and waits for the exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000): Promise<ExitInfo> {
    if (this.exitInfo) return this.exitInfo;
    this.child.kill(signal);
    return this.waitForExit(timeoutMs);
  }

  /** SIGKILL: no handler, no cleanup, as after a crash or an OOM kill. */
  async kill9(): Promise<ExitInfo> {
    return this.stop('SIGKILL', 10_000);
  }
}

const started = new Set<ServerProcess>();

// The servers' TMPDIR: an embedded database puts its socket directory there, and a server killed
// with SIGKILL cannot remove it. Kept per test file and removed by killAllServers.
let serverTmp: Promise<string> | null = null;
function serverTmpDir(): Promise<string> {
  serverTmp ??= tempDir('tmp');
  return serverTmp;
}

/** The environment every server gets: production JSON logs on 127.0.0.1, fast hashing, generous limits. */
export function serverEnv(port: number, env: Record<string, string>): Record<string, string> {
  const inherited: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ']) {
    const value = process.env[name];
    if (value !== undefined) inherited[name] = value;
  }
  return {
    ...inherited,
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    PORT: String(port),
    BCRYPT_COST: '4',
    // As a production deployment sets it (issue 12): without it the start logs a warning.
    SECRET_KEY: 'reliability-tests-secret-key-0123456789',
    ...GENEROUS_LIMITS,
    ...env,
  };
}

/**
 * Spawns `node dist/main.js` with exactly this environment (nothing inherited but PATH, HOME and
 * the like). By default waits for the ready line.
 */
export async function startServer(
  env: Record<string, string>,
  options: { waitForReady?: boolean; readyTimeoutMs?: number; port?: number } = {},
): Promise<ServerProcess> {
  if (!existsSync(MAIN))
    throw new Error(`${MAIN} is missing: run "npm run build" first (npm run test:reliability does).`);
  const port = options.port ?? (env.PORT ? Number(env.PORT) : await freePort());
  const fullEnv = serverEnv(port, { TMPDIR: await serverTmpDir(), ...env });
  const child = spawn(process.execPath, [MAIN], { cwd: ROOT, env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const server = new ServerProcess(child, port, fullEnv);
  started.add(server);
  void server.exited.then(() => started.delete(server));
  if (options.waitForReady !== false) {
    try {
      await server.waitForReady(options.readyTimeoutMs);
    } catch (error) {
      await server.kill9().catch(() => undefined);
      throw error;
    }
  }
  return server;
}

/** For afterAll: SIGKILLs every server this file started that is still running, and removes their TMPDIR. */
export async function killAllServers(): Promise<void> {
  await Promise.all([...started].map((server) => server.kill9().catch(() => undefined)));
  const dir = await serverTmp?.catch(() => null);
  serverTmp = null;
  if (dir) await rm(dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// HTTP and GraphQL

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** Milliseconds from the call to the end of the response. */
  ms: number;
}

/**
 * One request on its own connection (no keep-alive: a server killed between two requests cannot
 * leave a stale pooled socket behind), unless an agent is given (a client keeping its connection
 * to a load balancer). onSent fires when the whole request has been written.
 */
export function httpCall(
  url: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    timeoutMs?: number;
    onSent?: () => void;
    agent?: Agent;
  } = {},
): Promise<HttpResult> {
  const begin = Date.now();
  return new Promise((resolveCall, reject) => {
    const req = httpRequest(url, {
      method: options.method ?? 'GET',
      headers: options.headers,
      agent: options.agent ?? false,
      timeout: options.timeoutMs ?? 20_000,
    });
    req.on('timeout', () =>
      req.destroy(new Error(`${options.method ?? 'GET'} ${url}: no answer within ${options.timeoutMs ?? 20_000} ms`)),
    );
    req.on('error', reject);
    req.on('finish', () => options.onSent?.());
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('aborted', () => reject(new Error(`${url}: response aborted`)));
      res.on('end', () => {
        if (!res.complete) return reject(new Error(`${url}: incomplete response`));
        resolveCall({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: Buffer.concat(chunks).toString('utf8'),
          ms: Date.now() - begin,
        });
      });
    });
    req.end(options.body);
  });
}

export interface GqlError {
  message: string;
  extensions?: { code?: string; retryAfter?: number; [key: string]: unknown };
}

export interface GqlResult extends HttpResult {
  data: Record<string, any> | null | undefined;
  errors: GqlError[] | undefined;
  /** extensions.code of the first error. */
  code: string | undefined;
}

export async function gql(
  baseUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  options: {
    token?: string;
    headers?: Record<string, string>;
    timeoutMs?: number;
    onSent?: () => void;
    agent?: Agent;
  } = {},
): Promise<GqlResult> {
  const url = baseUrl.endsWith('/graphql') ? baseUrl : `${baseUrl}/graphql`;
  const result = await httpCall(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Token ${options.token}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query, variables }),
    timeoutMs: options.timeoutMs,
    onSent: options.onSent,
    agent: options.agent,
  });
  let body: { data?: Record<string, any> | null; errors?: GqlError[] } = {};
  try {
    body = JSON.parse(result.text);
  } catch {
    throw new Error(`Not a JSON GraphQL response (HTTP ${result.status}): ${result.text.slice(0, 500)}`);
  }
  return { ...result, data: body.data, errors: body.errors, code: body.errors?.[0]?.extensions?.code };
}

export const REGISTER = `mutation Register($input: RegisterInput!) { register(input: $input) { token user { id } } }`;
export const LOGIN = `mutation Login($input: LoginInput!) { login(input: $input) { token } }`;
export const ME = `query Me { me { id username } }`;
export const LOGOUT = `mutation Logout { logout }`;
export const SET_USER_ACTIVE = `mutation SetActive($id: ID!, $active: Boolean!) { setUserActive(id: $id, active: $active) { id isActive } }`;

export interface Account {
  id: string;
  username: string;
  email: string;
  password: string;
  token: string;
}

/** Registers a fresh user; throws with the response if it fails. */
export async function register(baseUrl: string, options: { headers?: Record<string, string> } = {}): Promise<Account> {
  const input = uniqueUser();
  const result = await gql(baseUrl, REGISTER, { input }, options);
  if (result.status !== 200 || result.errors || !result.data?.register?.token) {
    throw new Error(`register failed (HTTP ${result.status}): ${result.text}`);
  }
  return { ...input, id: result.data.register.user.id, token: result.data.register.token };
}

export async function login(
  baseUrl: string,
  username: string,
  password: string,
  options: { headers?: Record<string, string> } = {},
): Promise<GqlResult> {
  return gql(baseUrl, LOGIN, { input: { username, password } }, options);
}

/** The id `me` answers for this token, or the error code. */
export async function whoAmI(baseUrl: string, token: string): Promise<{ id?: string; code?: string }> {
  const result = await gql(baseUrl, ME, {}, { token });
  if (result.errors) return { code: result.code };
  return { id: result.data?.me?.id };
}

/**
 * Another instance learns of a revocation through PostgreSQL LISTEN/NOTIFY (its session cache is on
 * by default), milliseconds after the revoking call returns: polls until the token is refused,
 * failing past the README's bound of 1 s.
 */
export async function refusedWithin(baseUrl: string, token: string, boundMs = 1000): Promise<void> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const answer = await whoAmI(baseUrl, token);
    if (answer.code === 'UNAUTHENTICATED') return;
    if (Date.now() > deadline) throw new Error(`${baseUrl} still accepts a revoked token after ${boundMs} ms`);
    await sleep(20);
  }
}

// ---------------------------------------------------------------------------------------------
// A private PostgreSQL cluster

function run(file: string, args: string[], timeoutMs = 60_000): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    execFile(file, args, { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`${file} ${args.join(' ')} failed: ${error.message}\n${stdout}\n${stderr}`));
      } else resolveRun({ stdout, stderr });
    });
  });
}

function findRunuser(): string {
  for (const candidate of ['/usr/sbin/runuser', '/sbin/runuser', '/usr/bin/runuser', '/bin/runuser']) {
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // try the next one
    }
  }
  throw new Error(
    'The reliability tests need a private PostgreSQL cluster, but `runuser` was not found (it runs initdb and ' +
      'pg_ctl as the postgres user, since initdb refuses to run as root). Install util-linux or run as root on a ' +
      'machine with PostgreSQL 15.',
  );
}

/**
 * initdb + pg_ctl in a temp directory, on a spare port, as the postgres user. Stopping or
 * restarting it never disturbs the machine's server.
 */
export class PgCluster {
  private constructor(
    readonly root: string,
    readonly port: number,
    private readonly runuser: string,
  ) {}

  get dataDir(): string {
    return join(this.root, 'data');
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  static async create(): Promise<PgCluster> {
    for (const binary of ['initdb', 'pg_ctl']) {
      if (!existsSync(join(PG_BIN, binary))) {
        throw new Error(
          `The reliability tests need PostgreSQL 15's ${binary} in ${PG_BIN} to run a private cluster; it is missing.`,
        );
      }
    }
    const runuser = findRunuser();
    const root = await tempDir('pg');
    try {
      await chown(root, ...(await postgresIds(runuser)));
      await run(runuser, [
        '-u',
        'postgres',
        '--',
        join(PG_BIN, 'initdb'),
        '-D',
        join(root, 'data'),
        '-A',
        'trust',
        '-U',
        'postgres',
        '-N',
      ]);
    } catch (error) {
      await rm(root, { recursive: true, force: true });
      throw new Error(
        `Could not create a private PostgreSQL cluster with initdb (as the postgres user): ${String(error)}`,
      );
    }
    const cluster = new PgCluster(root, await freePort(), runuser);
    await cluster.start();
    return cluster;
  }

  async start(): Promise<void> {
    const options = `-p ${this.port} -k ${this.root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`;
    await run(this.runuser, [
      '-u',
      'postgres',
      '--',
      join(PG_BIN, 'pg_ctl'),
      '-D',
      this.dataDir,
      '-o',
      options,
      '-l',
      join(this.root, 'log'),
      '-w',
      '-t',
      '30',
      'start',
    ]);
  }

  async stop(): Promise<void> {
    await run(this.runuser, [
      '-u',
      'postgres',
      '--',
      join(PG_BIN, 'pg_ctl'),
      '-D',
      this.dataDir,
      '-m',
      'fast',
      '-w',
      '-t',
      '30',
      'stop',
    ]);
  }

  async isRunning(): Promise<boolean> {
    try {
      await run(this.runuser, ['-u', 'postgres', '--', join(PG_BIN, 'pg_ctl'), '-D', this.dataDir, 'status']);
      return true;
    } catch {
      return false;
    }
  }

  /** Stops the cluster if it runs and removes its directory. */
  async destroy(): Promise<void> {
    if (await this.isRunning()) await this.stop().catch(() => undefined);
    await rm(this.root, { recursive: true, force: true });
  }

  /** The postmaster's pid and its children's (the cluster's own processes only). */
  async processIds(): Promise<number[]> {
    const postmaster = Number((await readFile(join(this.dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
    const { stdout } = await run('ps', ['-o', 'pid=', '--ppid', String(postmaster)]);
    return [
      postmaster,
      ...stdout
        .split('\n')
        .map(Number)
        .filter((pid) => pid > 0),
    ];
  }

  /** Sends a signal to every process of this cluster (SIGSTOP freezes it: connections hang, nothing answers). */
  async signal(signal: NodeJS.Signals): Promise<void> {
    for (const pid of await this.processIds()) process.kill(pid, signal);
  }

  async query<T = Record<string, any>>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: this.url, connectionTimeoutMillis: 5000 });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  }
}

async function postgresIds(runuser: string): Promise<[number, number]> {
  const uid = Number((await run(runuser, ['-u', 'postgres', '--', 'id', '-u'])).stdout.trim());
  const gid = Number((await run(runuser, ['-u', 'postgres', '--', 'id', '-g'])).stdout.trim());
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error('Cannot find the postgres user id.');
  return [uid, gid];
}

// ---------------------------------------------------------------------------------------------
// A load balancer in front of several server processes: Debian's HAProxy

export const HAPROXY = '/usr/sbin/haproxy';

export interface Backend {
  name: string;
  port: number;
}

/**
 * The settings the README's "Running several instances" recommends: round robin; a server leaves
 * the rotation at its first failed /readyz check (a draining instance closes its listener, so the
 * check is refused at once) and comes back after two good ones; a request whose connection fails,
 * or whose connection is closed before any answer (an idle kept-alive connection the draining
 * server closed just as the request went out), is sent again, to another server. No retry after
 * a timeout or after part of an answer: such a request may have run.
 */
export function haproxyConfig(options: { port: number; statsPort: number; backends: Backend[] }): string {
  return [
    'global',
    '  maxconn 2000',
    '  log stderr format raw local0 info',
    '',
    'defaults',
    '  mode http',
    '  log global',
    '  option httplog',
    '  timeout connect 1s',
    '  timeout client 30s',
    '  timeout server 30s',
    '  timeout http-keep-alive 10s',
    '',
    'frontend api',
    `  bind 127.0.0.1:${options.port}`,
    '  option forwardfor',
    '  default_backend authapi',
    '',
    'backend authapi',
    '  balance roundrobin',
    '  option httpchk GET /readyz',
    '  http-check expect status 200',
    '  timeout check 2s',
    '  default-server inter 250ms fall 2 rise 2',
    '  retries 3',
    '  retry-on conn-failure empty-response',
    '  option redispatch 1',
    // Which instance answered: lets a test check that every instance saw a request.
    '  http-response set-header x-served-by %s',
    ...options.backends.map((backend) => `  server ${backend.name} 127.0.0.1:${backend.port} check`),
    '',
    'frontend stats',
    `  bind 127.0.0.1:${options.statsPort}`,
    '  stats enable',
    '  stats uri /stats',
    '',
  ].join('\n');
}

/** HAProxy in the foreground on free ports, its config in a temp dir, its log kept in memory. */
export class Haproxy {
  private logText = '';
  readonly exited: Promise<ExitInfo>;

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
    readonly statsPort: number,
    readonly dir: string,
  ) {
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    const keep = (chunk: string) => {
      this.logText = (this.logText + chunk).slice(-2_000_000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.exited = new Promise((done) => child.once('close', (code, signal) => done({ code, signal })));
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** HAProxy's log: one line per request (option httplog), plus server state changes. */
  get log(): string {
    return this.logText;
  }

  /**
   * Log lines of requests to the API that did not end well: a status other than 200, or
   * termination flags other than "----" (e.g. SC--: the server refused the connection).
   */
  failedRequests(): string[] {
    return this.logText.split('\n').filter((line) => / api authapi\//.test(line) && !/ 200 \d+ - - ---- /.test(line));
  }

  static async start(backends: Backend[]): Promise<Haproxy> {
    if (!existsSync(HAPROXY)) {
      throw new Error(
        `The scale-out test needs HAProxy at ${HAPROXY}: apt-get install -y --no-install-recommends haproxy`,
      );
    }
    const dir = await tempDir('haproxy');
    const [port, statsPort] = [await freePort(), await freePort()];
    const file = join(dir, 'haproxy.cfg');
    await writeFile(file, haproxyConfig({ port, statsPort, backends }));
    await run(HAPROXY, ['-c', '-q', '-f', file]);
    // -db: foreground, no daemon; the process is ours to stop.
    const child = spawn(HAPROXY, ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    const proxy = new Haproxy(child, port, statsPort, dir);
    await eventually(
      async () => (await httpCall(`http://127.0.0.1:${statsPort}/stats;csv`, { timeoutMs: 1000 })).status === 200,
      10_000,
      100,
      'HAProxy to listen',
    );
    return proxy;
  }

  /** Each server's status as the stats page says it: UP, DOWN, "UP 1/2" (rising), "DOWN 1/2"… */
  async serverStates(): Promise<Record<string, string>> {
    const csv = (await httpCall(`http://127.0.0.1:${this.statsPort}/stats;csv`, { timeoutMs: 2000 })).text;
    const [header, ...rows] = csv.trim().split('\n');
    const columns = header.replace(/^# /, '').split(',');
    const [proxyColumn, serverColumn, statusColumn] = ['pxname', 'svname', 'status'].map((name) =>
      columns.indexOf(name),
    );
    const states: Record<string, string> = {};
    for (const row of rows) {
      const cells = row.split(',');
      if (cells[proxyColumn] === 'authapi' && !['FRONTEND', 'BACKEND'].includes(cells[serverColumn])) {
        states[cells[serverColumn]] = cells[statusColumn];
      }
    }
    return states;
  }

  async waitForState(server: string, state: 'UP' | 'DOWN', timeoutMs = 15_000): Promise<void> {
    await eventually(
      async () => (await this.serverStates())[server] === state,
      timeoutMs,
      50,
      `HAProxy to see ${server} ${state}`,
    );
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    const kill = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(kill);
    await rm(this.dir, { recursive: true, force: true });
  }
}
