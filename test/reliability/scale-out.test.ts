import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import {
  gql,
  Haproxy,
  haproxyConfig,
  httpCall,
  killAllServers,
  login,
  LOGOUT,
  ME,
  PgCluster,
  register,
  ROOT,
  sleep,
  startServer,
  refusedWithin,
  whoAmI,
  type Account,
  type GqlResult,
  type ServerProcess,
} from './support';

// Three server processes on one PostgreSQL behind HAProxy, as the README's "Running several
// instances" describes: a rolling restart under mixed traffic loses no request, and a revocation,
// the failed-login throttle and the signing keys hold across instances.

const INSTANCES = 3;
const CLIENTS = 12;
const FAILURES_PER_ACCOUNT = 4;

const LOGIN_FULL = `mutation Login($input: LoginInput!) { login(input: $input) { token accessToken user { id } } }`;
const REFRESH = `mutation Refresh($token: String!) { refreshToken(token: $token) { token accessToken user { id } } }`;
const SESSIONS = `query Sessions { sessions { id current } }`;
const REVOKE_SESSION = `mutation Revoke($id: ID!) { revokeSession(id: $id) }`;

let cluster: PgCluster;
let proxy: Haproxy;
const names = Array.from({ length: INSTANCES }, (_, index) => `app${index + 1}`);
const instances: ServerProcess[] = [];
let env: Record<string, string>;

beforeAll(async () => {
  cluster = await PgCluster.create();
  env = {
    DATABASE_URL: cluster.url,
    // HAProxy appends the address it received the request from; the server takes that one.
    TRUST_PROXY: '1',
    LOGIN_FAILURES_PER_ACCOUNT: String(FAILURES_PER_ACCOUNT),
    SHUTDOWN_TIMEOUT_SECONDS: '10',
  };
  // The first start applies the migrations; the others then start together.
  instances.push(await startServer(env));
  instances.push(...(await Promise.all(names.slice(1).map(() => startServer(env)))));
  proxy = await Haproxy.start(instances.map((server, index) => ({ name: names[index], port: server.port })));
  for (const name of names) await proxy.waitForState(name, 'UP');
}, 120_000);

afterAll(async () => {
  await proxy?.stop();
  await killAllServers();
  await cluster?.destroy();
}, 60_000);

interface Client {
  account: Account;
  token: string;
  accessToken: string;
}

/** One request of a steady client; returns a description of what went wrong, or null. */
async function step(client: Client, agent: Agent | undefined, counts: Record<string, number>): Promise<string | null> {
  const base = proxy.baseUrl;
  const roll = Math.random();
  let kind: string;
  let result: GqlResult;
  if (roll < 0.5) {
    kind = 'me';
    result = await gql(base, ME, {}, { token: client.token, agent });
  } else if (roll < 0.7) {
    kind = 'me (access token)';
    result = await gql(base, ME, {}, { headers: { authorization: `Bearer ${client.accessToken}` }, agent });
  } else if (roll < 0.85) {
    kind = 'refreshToken';
    result = await gql(base, REFRESH, { token: client.token }, { agent });
  } else {
    kind = 'login';
    const { username, password } = client.account;
    result = await gql(base, LOGIN_FULL, { input: { username, password } }, { agent });
  }
  counts[kind] = (counts[kind] ?? 0) + 1;
  const servedBy = String(result.headers['x-served-by'] ?? '?');
  if (result.status !== 200 || result.errors) {
    return `${kind} via ${servedBy}: HTTP ${result.status} ${result.text.slice(0, 300)}`;
  }
  const payload = result.data?.me ?? result.data?.refreshToken ?? result.data?.login;
  const id = payload?.id ?? payload?.user?.id;
  if (id !== client.account.id) return `${kind} via ${servedBy}: answered for ${id}, not ${client.account.id}`;
  if (kind === 'refreshToken' || kind === 'login') {
    client.token = payload.token;
    client.accessToken = payload.accessToken;
  }
  return null;
}

/**
 * CLIENTS loops, each one request after another, until stop(); every failure is kept. Half the
 * clients keep their connection to HAProxy (which then reuses its idle connections to the
 * servers), half open a new one per request (HAProxy then connects afresh to a server).
 */
function steadyLoad(clients: Client[]) {
  let running = true;
  const failures: string[] = [];
  const counts: Record<string, number> = {};
  const agent = new Agent({ keepAlive: true, maxSockets: clients.length });
  const loops = clients.map(async (client, index) => {
    while (running) {
      const failure = await step(client, index % 2 ? agent : undefined, counts).catch(
        (error: Error) => `no answer through HAProxy: ${error.message}`,
      );
      if (failure) failures.push(`${new Date().toISOString()} ${failure}`);
    }
  });
  return {
    failures,
    counts,
    total: () => Object.values(counts).reduce((sum, count) => sum + count, 0),
    async stop() {
      running = false;
      await Promise.all(loops);
      agent.destroy();
    },
  };
}

const requestLines = (server: ServerProcess) =>
  server.logs().filter((line) => line.msg === 'request' && line.path === '/graphql').length;

test('a rolling restart of every instance under steady mixed traffic fails no request', async () => {
  const clients: Client[] = await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      const account = await register(proxy.baseUrl);
      const loggedIn = await gql(proxy.baseUrl, LOGIN_FULL, {
        input: { username: account.username, password: account.password },
      });
      expect(loggedIn.errors).toBeUndefined();
      return { account, token: loggedIn.data!.login.token, accessToken: loggedIn.data!.login.accessToken };
    }),
  );

  const load = steadyLoad(clients);
  let before = 0;
  try {
    await sleep(1500);
    before = load.total();
    for (const [index, name] of names.entries()) {
      const old = instances[index];
      const exit = await old.stop('SIGTERM', 20_000);
      expect({ name, exit }).toEqual({ name, exit: { code: 0, signal: null } });
      expect(old.stderr).toBe('');
      instances[index] = await startServer({ ...env, PORT: String(old.port) });
      await proxy.waitForState(name, 'UP');
      // Traffic on the full set before the next one goes.
      await sleep(1000);
    }
    await sleep(1000);
  } finally {
    await load.stop();
  }

  // Neither the clients nor HAProxy's log saw an error (a request HAProxy retried on another
  // instance after a refused connection is logged with its retry count, and is no error).
  expect({ failures: load.failures, proxyErrors: proxy.failedRequests() }).toEqual({ failures: [], proxyErrors: [] });
  // The load really ran throughout, with every kind of request, and the new processes served it.
  expect(load.total() - before).toBeGreaterThan(100);
  for (const kind of ['me', 'me (access token)', 'refreshToken', 'login'])
    expect(load.counts[kind]).toBeGreaterThan(10);
  for (const server of instances) expect(requestLines(server)).toBeGreaterThan(5);
}, 150_000);

/** Sends the token through HAProxy until every instance has answered it; returns each one's answer. */
async function throughEveryInstance(call: (base: string) => Promise<GqlResult>): Promise<Record<string, string>> {
  const seen: Record<string, string> = {};
  for (let attempt = 0; attempt < 5 * INSTANCES && Object.keys(seen).length < INSTANCES; attempt++) {
    const result = await call(proxy.baseUrl);
    seen[String(result.headers['x-served-by'])] = result.errors ? String(result.code) : 'OK';
  }
  return seen;
}

const everywhere = (answer: string) => Object.fromEntries(names.map((name) => [name, answer]));

test('a logout on one instance is refused on every instance, directly and through HAProxy', async () => {
  const user = await register(instances[0].baseUrl);
  const loggedIn = await gql(instances[1].baseUrl, LOGIN_FULL, {
    input: { username: user.username, password: user.password },
  });
  const { token, accessToken } = loggedIn.data!.login;
  const bearer = { authorization: `Bearer ${accessToken}` };
  expect(await throughEveryInstance((base) => gql(base, ME, {}, { token }))).toEqual(everywhere('OK'));
  expect(await throughEveryInstance((base) => gql(base, ME, {}, { headers: bearer }))).toEqual(everywhere('OK'));

  expect((await gql(instances[2].baseUrl, LOGOUT, {}, { token })).data).toEqual({ logout: true });

  for (const server of instances) await refusedWithin(server.baseUrl, token);
  expect(await throughEveryInstance((base) => gql(base, ME, {}, { token }))).toEqual(everywhere('UNAUTHENTICATED'));
  expect(await throughEveryInstance((base) => gql(base, ME, {}, { headers: bearer }))).toEqual(
    everywhere('UNAUTHENTICATED'),
  );
});

test('revokeSession on one instance is refused on every instance', async () => {
  const user = await register(proxy.baseUrl);
  const other = await login(instances[0].baseUrl, user.username, user.password);
  const otherToken = other.data!.login.token;
  expect(await throughEveryInstance((base) => gql(base, ME, {}, { token: otherToken }))).toEqual(everywhere('OK'));

  // The registration's session revokes the login's, through instance 2.
  const sessions = await gql(instances[1].baseUrl, SESSIONS, {}, { token: user.token });
  const target = sessions.data!.sessions.find((session: { current: boolean }) => !session.current);
  const revoked = await gql(instances[1].baseUrl, REVOKE_SESSION, { id: target.id }, { token: user.token });
  expect(revoked.data).toEqual({ revokeSession: true });

  for (const server of instances) {
    await refusedWithin(server.baseUrl, otherToken);
    expect(await whoAmI(server.baseUrl, user.token)).toEqual({ id: user.id });
  }
  expect(await throughEveryInstance((base) => gql(base, ME, {}, { token: otherToken }))).toEqual(
    everywhere('UNAUTHENTICATED'),
  );
});

test('failed logins are counted across instances: the attempt past the limit is refused wherever it lands', async () => {
  const user = await register(proxy.baseUrl);
  const wrong = `${user.password}-wrong`;
  // The failures spread over every instance: none of them sees the limit alone.
  for (let attempt = 0; attempt < FAILURES_PER_ACCOUNT; attempt++) {
    const failed = await login(instances[attempt % INSTANCES].baseUrl, user.username, wrong);
    expect(failed.code).toBe('UNAUTHENTICATED');
  }
  // The next attempt, even with the right password, is refused by every instance and through HAProxy.
  for (const server of instances) {
    const refused = await login(server.baseUrl, user.username, user.password);
    expect(refused.code).toBe('TOO_MANY_REQUESTS');
    expect(refused.errors![0].extensions!.retryAfter).toBeGreaterThan(0);
  }
  expect(await throughEveryInstance((base) => login(base, user.username, user.password))).toEqual(
    everywhere('TOO_MANY_REQUESTS'),
  );
});

/** ES256 or EdDSA signature check of a compact JWS against one JWK, with node:crypto only. */
function verifiesWith(jwt: string, jwk: JsonWebKey & { alg?: string }): boolean {
  const [header, payload, signature] = jwt.split('.');
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  const data = Buffer.from(`${header}.${payload}`);
  const bytes = Buffer.from(signature, 'base64url');
  return jwk.alg === 'EdDSA'
    ? verify(null, data, key, bytes)
    : verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, bytes);
}

test('the signing keys are shared: every instance serves the same JWKS and accepts the others’ access tokens', async () => {
  const jwksBodies = await Promise.all(
    instances.map(async (server) => {
      const response = await httpCall(`${server.baseUrl}/.well-known/jwks.json`);
      expect(response.status).toBe(200);
      return JSON.parse(response.text) as { keys: (JsonWebKey & { kid: string; alg: string })[] };
    }),
  );
  expect(jwksBodies[0].keys.length).toBeGreaterThan(0);
  for (const body of jwksBodies.slice(1)) expect(body).toEqual(jwksBodies[0]);

  const user = await register(proxy.baseUrl);
  for (const [index, issuer] of instances.entries()) {
    const loggedIn = await gql(issuer.baseUrl, LOGIN_FULL, {
      input: { username: user.username, password: user.password },
    });
    const accessToken: string = loggedIn.data!.login.accessToken;
    const { kid } = JSON.parse(Buffer.from(accessToken.split('.')[0], 'base64url').toString('utf8'));
    // Offline, as another service would: the key named in the header, from another instance's JWKS.
    const published = jwksBodies[(index + 1) % INSTANCES].keys.find((key) => key.kid === kid);
    expect(published).toBeDefined();
    expect(verifiesWith(accessToken, published!)).toBe(true);
    for (const server of instances) {
      const me = await gql(server.baseUrl, ME, {}, { headers: { authorization: `Bearer ${accessToken}` } });
      expect({ issuer: index, at: server.port, me: me.data?.me?.id }).toEqual({
        issuer: index,
        at: server.port,
        me: user.id,
      });
    }
  }
});

test("the README's HAProxy excerpt holds exactly the settings this test runs", () => {
  const readme = readFileSync(`${ROOT}/README.md`, 'utf8');
  const excerpt = /The HAProxy configuration the scale-out test runs[^\n]*\n\n```\n([\s\S]*?)```/.exec(readme);
  expect(excerpt).not.toBeNull();
  const settings = (text: string) =>
    text
      .split('\n')
      .map((line) => line.replace(/#.*/, '').trim())
      // Addresses differ; everything else must match.
      .filter((line) => line && !/^(bind|server) /.test(line));
  const config = haproxyConfig({ port: 1, statsPort: 2, backends: [] });
  for (const line of settings(excerpt![1])) expect(settings(config)).toContain(line);
  // And the other way round for the backend, the part that decides what a restart does (the
  // x-served-by header is only for this test).
  const backend = /backend authapi\n([\s\S]*?)\n\n/.exec(config)![1];
  for (const line of settings(backend).filter((each) => !each.startsWith('http-response'))) {
    expect(settings(excerpt![1])).toContain(line);
  }
});
