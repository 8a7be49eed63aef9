import { createServer, type Server } from 'node:net';
import { freePort, killAllServers, startServer } from './support';

// A server that cannot start says why in a line or two on stderr, exits non-zero, and never
// prints a stack trace or a secret.

afterAll(() => killAllServers());

const STACK_FRAME = /^\s+at /m;

function stderrLines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

test('bad variables: exit code non-zero, a short message naming each one, no stack trace', async () => {
  const server = await startServer(
    { BCRYPT_COST: '99', PORT: 'abc', DATABASE_URL: 'pglite://memory' },
    { waitForReady: false, port: 0 },
  );
  const exit = await server.waitForExit(20_000);
  expect(exit.code).not.toBe(0);
  expect(exit.code).not.toBeNull();
  const lines = stderrLines(server.stderr);
  expect(server.stderr).toContain('BCRYPT_COST');
  expect(server.stderr).toContain('PORT');
  expect(lines.length).toBeLessThanOrEqual(4);
  expect(server.stderr.length).toBeLessThan(600);
  expect(server.stderr).not.toMatch(STACK_FRAME);
  expect(server.stdout).not.toMatch(STACK_FRAME);
  expect(server.logs().some((line) => String(line.msg).startsWith('GraphQL API ready'))).toBe(false);
});

test('unreachable DATABASE_URL: one clear line, exit non-zero, the password never printed', async () => {
  const server = await startServer(
    { DATABASE_URL: 'postgres://postgres:secretpw@127.0.0.1:1/x', DATABASE_TIMEOUT_SECONDS: '3' },
    { waitForReady: false },
  );
  const exit = await server.waitForExit(30_000);
  expect(exit.code).not.toBe(0);
  expect(exit.code).not.toBeNull();
  const lines = stderrLines(server.stderr);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/database/i);
  expect(lines[0].length).toBeLessThan(300);
  expect(`${server.stdout}\n${server.stderr}`).not.toContain('secretpw');
  expect(server.stderr).not.toMatch(STACK_FRAME);
  expect(server.stderr).not.toContain('postgres://');
});

describe('a port already in use', () => {
  let blocker: Server;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    blocker = createServer();
    await new Promise<void>((done, fail) => {
      blocker.once('error', fail);
      blocker.listen(port, '127.0.0.1', done);
    });
  });
  afterAll(() => new Promise<void>((done) => blocker.close(() => done())));

  test('one clear line mentioning the port, exit non-zero', async () => {
    const server = await startServer({ DATABASE_URL: 'pglite://memory' }, { waitForReady: false, port });
    const exit = await server.waitForExit(45_000);
    expect(exit.code).not.toBe(0);
    expect(exit.code).not.toBeNull();
    const lines = stderrLines(server.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(String(port));
    expect(lines[0]).toMatch(/in use/i);
    expect(server.stderr).not.toMatch(STACK_FRAME);
    expect(server.logs().some((line) => String(line.msg).startsWith('GraphQL API ready'))).toBe(false);
  }, 60_000);
});
