import { request } from 'node:http';
import { Writable } from 'node:stream';
import { createApp, type App } from '../../src/app';
import { createLogger } from '../../src/logger';
import { LOGIN, REGISTER, CHANGE_PASSWORD, ME } from '../support/documents';
import { registerUser } from '../support/factories';
import { testConfig } from '../support/test-app';

// A few hundred malformed requests, from a fixed seed: none may get a 5xx, and no response or
// log line may carry a stack trace, SQL, a constraint name, a file path, a password or a token.

let app: App;
let url: string;
let logs = '';
const SECRET = 'Fuzz-Secret-Password-0042';

beforeAll(async () => {
  const capture = new Writable({
    write(chunk, _encoding, done) {
      logs += chunk.toString();
      done();
    },
  });
  app = await createApp(testConfig({ LOG_LEVEL: 'trace' }), {
    logger: createLogger('trace', capture),
  });
  url = await app.listen();
});
afterAll(() => app.close());

function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

function send(
  method: string,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = request({ host: target.hostname, port: target.port, path: target.pathname, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

const LEAKS = [
  /\bat \S+ \(/,
  /node_modules/,
  /\/src\//,
  /\bselect\b.*\bfrom\b/i,
  /\binsert into\b/i,
  /_key\b/,
  /constraint/i,
  /stacktrace/i,
];

test('malformed requests never yield a 5xx or leak anything', async () => {
  const next = random(20261122);
  const pick = <T>(items: T[]) => items[Math.floor(next() * items.length)];
  const user = await registerUser(url);
  const weird: unknown[] = [
    SECRET,
    12345678901234,
    -1,
    1e308,
    true,
    null,
    [],
    [SECRET],
    { nested: SECRET },
    'x'.repeat(20000),
    `${SECRET}\u0000nul`,
    '\ud800lone-surrogate',
    '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
    '"; drop table users; --',
  ];
  const documents = [REGISTER, LOGIN, CHANGE_PASSWORD, ME, 'mutation { logout }', '{ users(first: 5) { totalCount } }'];
  const requests: { method: string; headers: Record<string, string>; body?: Buffer }[] = [];
  for (let index = 0; index < 300; index++) {
    const kind = index % 10;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (next() < 0.3)
      headers.authorization = pick([`Token ${user.token}x`, 'Bearer', `Token ${SECRET}`, 'Token \u00ff\u00fe']);
    let body: Buffer;
    if (kind === 0) {
      body = Buffer.from(Array.from({ length: 1 + Math.floor(next() * 200) }, () => Math.floor(next() * 256)));
    } else if (kind === 1) {
      body = Buffer.concat([
        Buffer.from('{"query":"{ me { id } }","variables":{"x":"'),
        Buffer.from([0xc3, 0x28, 0xff]),
        Buffer.from('"}}'),
      ]);
    } else if (kind === 2) {
      const depth = 1000 + Math.floor(next() * 9000);
      body = Buffer.from(`${'['.repeat(depth)}${']'.repeat(depth)}`);
    } else if (kind === 3) {
      body = Buffer.from(
        JSON.stringify({ query: pick(documents).slice(0, Math.floor(next() * 60)) + ` "${SECRET}`, variables: {} }),
      );
    } else if (kind === 4) {
      body = Buffer.from(JSON.stringify({ query: pick(documents), variables: pick(weird) }));
    } else if (kind === 5) {
      body = Buffer.from(JSON.stringify({ query: pick(weird), variables: { input: { password: SECRET } } }));
    } else if (kind === 6) {
      headers['content-type'] = pick([
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data',
        'application/graphql',
      ]);
      body = Buffer.from(`query=${encodeURIComponent(LOGIN)}&password=${SECRET}`);
    } else {
      const input: Record<string, unknown> = {
        username: pick(weird),
        email: pick(weird),
        password: SECRET,
        currentPassword: SECRET,
        newPassword: pick(weird),
        [pick(['isStaff', 'passwrd', 'extra', '__proto__'])]: pick(weird),
      };
      if (next() < 0.5) delete input[pick(Object.keys(input))];
      body = Buffer.from(JSON.stringify({ query: pick(documents), variables: { input, password: SECRET } }));
    }
    requests.push({ method: pick(['POST', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH']), headers, body });
  }
  const failures: string[] = [];
  const statuses: number[] = [];
  for (const { method, headers, body } of requests) {
    const response = await send(method, headers, body);
    statuses.push(response.status);
    const problems = [
      response.status >= 500 && `status ${response.status}`,
      response.text.includes(SECRET) && 'echoed the password',
      response.text.includes(user.token) && 'echoed a token',
      ...LEAKS.filter((leak) => leak.test(response.text)).map((leak) => `leak ${leak}`),
    ].filter(Boolean);
    if (problems.length)
      failures.push(
        `${method} ${body?.toString('utf8', 0, 80)} -> ${problems.join(', ')}: ${response.text.slice(0, 300)}`,
      );
  }
  expect(failures).toEqual([]);
  // The run did reach every layer: HTTP refusals, GraphQL errors and successful executions.
  expect(new Set(statuses)).toEqual(new Set([200, 400, 404, 405, 413].filter((status) => statuses.includes(status))));
  expect(statuses.filter((status) => status === 400).length).toBeGreaterThan(50);
  expect(statuses.filter((status) => status === 200).length).toBeGreaterThan(20);
  expect(logs).not.toContain(SECRET);
  expect(logs).not.toContain(user.token);
});
