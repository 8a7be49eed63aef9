import { randomBytes } from 'node:crypto';
import {
  gql,
  httpCall,
  killAllServers,
  LOGIN,
  ME,
  PgCluster,
  register,
  REGISTER,
  startServer,
  uniqueUser,
  type ServerProcess,
} from './support';

// Liveness, readiness, request ids and the access log, on the compiled server.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let cluster: PgCluster;
let server: ServerProcess;

beforeAll(async () => {
  cluster = await PgCluster.create();
  server = await startServer({ DATABASE_URL: cluster.url });
}, 90_000);

afterAll(async () => {
  await killAllServers();
  await cluster?.destroy();
}, 60_000);

function accessLine(requestId: string) {
  return server.waitForLog((line) => line.msg === 'request' && line.requestId === requestId);
}

test('/readyz answers 200 {"status":"ready"} once the ready line is printed', async () => {
  const ready = await httpCall(`${server.baseUrl}/readyz`);
  expect(ready.status).toBe(200);
  expect(JSON.parse(ready.text)).toEqual({ status: 'ready' });
});

test('X-Request-Id is echoed when the caller sends a plain id, and logged with the request', async () => {
  const id = `rel-health-${Date.now()}`;
  const result = await httpCall(`${server.baseUrl}/healthz`, { headers: { 'x-request-id': id } });
  expect(result.status).toBe(200);
  expect(result.headers['x-request-id']).toBe(id);
  const line = await accessLine(id);
  expect(line).toMatchObject({ requestId: id, method: 'GET', path: '/healthz', status: 200, outcome: 'OK' });
  expect(typeof line.durationMs).toBe('number');
});

test('X-Request-Id is generated when absent (or not a plain id), and that id is the one logged', async () => {
  const plain = await httpCall(`${server.baseUrl}/healthz`);
  const generated = plain.headers['x-request-id'] as string;
  expect(generated).toMatch(UUID);
  await accessLine(generated);

  const hostile = await httpCall(`${server.baseUrl}/healthz`, { headers: { 'x-request-id': 'a b\tc"}{' } });
  const replaced = hostile.headers['x-request-id'] as string;
  expect(replaced).toMatch(UUID);
  await accessLine(replaced);

  const other = await httpCall(`${server.baseUrl}/healthz`);
  expect(other.headers['x-request-id']).not.toBe(generated);
});

test('access log lines carry requestId, operationName and outcome, and never a password, token or Authorization value', async () => {
  const input = uniqueUser();
  const registerId = 'rel-register-1';
  const registered = await gql(server.baseUrl, REGISTER, { input }, { headers: { 'x-request-id': registerId } });
  expect(registered.errors).toBeUndefined();
  const token: string = registered.data!.register.token;

  const loginId = 'rel-login-ok-1';
  const loggedIn = await gql(
    server.baseUrl,
    LOGIN,
    { input: { username: input.username, password: input.password } },
    { headers: { 'x-request-id': loginId } },
  );
  expect(loggedIn.errors).toBeUndefined();
  const secondToken: string = loggedIn.data!.login.token;

  const wrongPassword = `Wrong-Amber-${Date.now()}-Kettle`;
  const badLoginId = 'rel-login-bad-1';
  const badLogin = await gql(
    server.baseUrl,
    LOGIN,
    { input: { username: input.username, password: wrongPassword } },
    { headers: { 'x-request-id': badLoginId } },
  );
  expect(badLogin.code).toBe('UNAUTHENTICATED');

  const meId = 'rel-me-1';
  const me = await gql(server.baseUrl, ME, {}, { token: secondToken, headers: { 'x-request-id': meId } });
  expect(me.errors).toBeUndefined();

  const badTokenId = 'rel-me-bad-1';
  const forgedToken = randomBytes(32).toString('base64url'); // well formed, so it is looked up
  const badMe = await gql(server.baseUrl, ME, {}, { token: forgedToken, headers: { 'x-request-id': badTokenId } });
  expect(badMe.code).toBe('UNAUTHENTICATED');

  // A password written inline in the document, not as a variable, and a document that fails to parse.
  const inlinePassword = `Inline-Secret-${Date.now()}-Walnut`;
  const inlineId = 'rel-inline-1';
  await gql(
    server.baseUrl,
    `mutation Inline { login(input: { username: "${input.username}", password: "${inlinePassword}" }) { token } }`,
    {},
    { headers: { 'x-request-id': inlineId } },
  );
  const brokenPassword = `Broken-Secret-${Date.now()}-Pepper`;
  const brokenId = 'rel-broken-1';
  const broken = await gql(
    server.baseUrl,
    `mutation { login(input: { password: "${brokenPassword}" `,
    {},
    {
      headers: { 'x-request-id': brokenId },
    },
  );
  expect(broken.code).toBe('GRAPHQL_PARSE_FAILED');

  expect(await accessLine(registerId)).toMatchObject({
    method: 'POST',
    path: '/graphql',
    status: 200,
    operationName: 'Register',
    outcome: 'OK',
  });
  expect(await accessLine(loginId)).toMatchObject({ operationName: 'Login', outcome: 'OK', status: 200 });
  expect(await accessLine(badLoginId)).toMatchObject({ operationName: 'Login', outcome: 'UNAUTHENTICATED' });
  expect(await accessLine(meId)).toMatchObject({ operationName: 'Me', outcome: 'OK' });
  expect(await accessLine(badTokenId)).toMatchObject({ operationName: 'Me', outcome: 'UNAUTHENTICATED' });
  expect(await accessLine(inlineId)).toMatchObject({ operationName: 'Inline' });
  expect(await accessLine(brokenId)).toMatchObject({ outcome: 'GRAPHQL_PARSE_FAILED' });

  // Nothing the server wrote (access lines or any other) holds a secret sent or issued above.
  const everything = `${server.stdout}\n${server.stderr}`;
  for (const secret of [
    input.password,
    wrongPassword,
    inlinePassword,
    brokenPassword,
    token,
    secondToken,
    forgedToken,
    `Token ${secondToken}`,
    `Token ${forgedToken}`,
  ]) {
    expect(everything).not.toContain(secret);
  }
  for (const line of server.logs().filter((entry) => entry.msg === 'request')) {
    expect(Object.keys(line)).toEqual(
      expect.arrayContaining(['requestId', 'method', 'path', 'status', 'durationMs', 'operationName', 'outcome']),
    );
    expect(line).not.toHaveProperty('authorization');
    expect(line).not.toHaveProperty('headers');
    expect(line).not.toHaveProperty('variables');
  }
});

test('/healthz answers 200 without the database: it keeps answering, fast, while PostgreSQL is down', async () => {
  const account = await register(server.baseUrl);
  await cluster.stop();
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      const health = await httpCall(`${server.baseUrl}/healthz`, { timeoutMs: 5000 });
      expect(health.status).toBe(200);
      expect(JSON.parse(health.text)).toEqual({ status: 'ok' });
      expect(health.ms).toBeLessThan(1000);
    }
    // The database really is gone: readiness and data requests say so.
    const ready = await httpCall(`${server.baseUrl}/readyz`, { timeoutMs: 10_000 });
    expect(ready.status).toBe(503);
    const me = await gql(server.baseUrl, ME, {}, { token: account.token, timeoutMs: 15_000 });
    expect(me.code).toBe('SERVICE_UNAVAILABLE');
  } finally {
    await cluster.start();
  }
});
