import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { createApp, type App } from '../../src/app';
import { createLogger } from '../../src/logger';
import { testConfig } from '../support/test-app';

// Slow clients (slowloris): a connection that drips its headers or its body, or idles between
// requests, is closed within the configured bounds instead of Node's 300 s. Small bounds here.

const REQUEST_TIMEOUT_MS = 2000;
const HEADERS_TIMEOUT_MS = 1000;
const KEEP_ALIVE_TIMEOUT_MS = 1000;
// Node checks the request and header timeouts every quarter of the header timeout; add slack
// for a busy test machine.
const SLACK_MS = 1500;

let app: App;
let port: number;
let logs = '';

beforeAll(async () => {
  const capture = new Writable({
    write(chunk, _encoding, done) {
      logs += chunk.toString();
      done();
    },
  });
  app = await createApp(
    testConfig({
      LOG_LEVEL: 'trace',
      HTTP_REQUEST_TIMEOUT_SECONDS: String(REQUEST_TIMEOUT_MS / 1000),
      HTTP_HEADERS_TIMEOUT_SECONDS: String(HEADERS_TIMEOUT_MS / 1000),
      HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: String(KEEP_ALIVE_TIMEOUT_MS / 1000),
    }),
    { logger: createLogger('trace', capture) },
  );
  port = Number(new URL(await app.listen()).port);
});
afterAll(() => app.close());

interface Outcome {
  closed: boolean;
  afterMs: number;
  received: string;
}

/**
 * Opens a raw connection, writes `head` at once and then `drip` one byte every `intervalMs`, and
 * reports when the server closed the connection (or that it had not after `giveUpMs`).
 */
function drip(head: string, drip: string, intervalMs: number, giveUpMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket: Socket = connect(port, '127.0.0.1');
    let received = '';
    let position = 0;
    const timer = setInterval(() => {
      if (position < drip.length && socket.writable) socket.write(drip[position++]);
    }, intervalMs);
    const finish = (closed: boolean) => {
      clearInterval(timer);
      clearTimeout(giveUp);
      socket.destroy();
      resolve({ closed, afterMs: Date.now() - started, received });
    };
    const giveUp = setTimeout(() => finish(false), giveUpMs);
    socket.on('connect', () => socket.write(head));
    socket.on('data', (chunk) => (received += chunk.toString()));
    // Writing after the server hung up fails with EPIPE or ECONNRESET: that is the point.
    socket.on('error', () => undefined);
    socket.on('close', () => finish(true));
  });
}

const body = JSON.stringify({ query: '{ __typename }' });
const head = (extra = '') =>
  `POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n${extra}`;

test('a body dripped a byte at a time is cut off at the request timeout with 408', async () => {
  const outcome = await drip(`${head()}\r\n`, body, 100, REQUEST_TIMEOUT_MS + 5000);
  expect(outcome.closed).toBe(true);
  expect(outcome.afterMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
  expect(outcome.afterMs).toBeLessThan(REQUEST_TIMEOUT_MS + SLACK_MS);
  expect(outcome.received).toMatch(/^HTTP\/1\.1 408 /);
});

test('headers dripped a byte at a time are cut off at the headers timeout', async () => {
  const outcome = await drip('', `${head('X-Slow: ' + 'a'.repeat(200))}\r\n\r\n`, 50, HEADERS_TIMEOUT_MS + 5000);
  expect(outcome.closed).toBe(true);
  expect(outcome.afterMs).toBeLessThan(HEADERS_TIMEOUT_MS + SLACK_MS);
  expect(outcome.received === '' || /^HTTP\/1\.1 408 /.test(outcome.received)).toBe(true);
});

test('an idle keep-alive connection is closed after the keep-alive timeout', async () => {
  // One complete request, then nothing: the response comes, then the close.
  const outcome = await drip(`${head()}\r\n${body}`, '', 1000, KEEP_ALIVE_TIMEOUT_MS + 5000);
  expect(outcome.received).toMatch(/^HTTP\/1\.1 200 /);
  expect(outcome.closed).toBe(true);
  // Node 20 closes an idle keep-alive socket about a second after keepAliveTimeout.
  expect(outcome.afterMs).toBeLessThan(KEEP_ALIVE_TIMEOUT_MS + 1000 + SLACK_MS);
});

test('a slow but steady client that finishes within the bound is served', async () => {
  // The body in four pieces over about 0.8 s, well inside both bounds.
  const outcome = await new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString();
      if (received.includes('"__typename"')) {
        socket.destroy();
        resolve(received);
      }
    });
    socket.on('error', reject);
    socket.on('connect', async () => {
      socket.write(`${head()}\r\n`);
      const quarter = Math.ceil(body.length / 4);
      for (let index = 0; index < body.length; index += quarter) {
        await new Promise((done) => setTimeout(done, 200));
        socket.write(body.slice(index, index + quarter));
      }
    });
  });
  expect(outcome).toMatch(/^HTTP\/1\.1 200 /);
});

test('a cut-off request is logged as the client closing, never at warn or error level', () => {
  const lines = logs
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  expect(lines.filter((line) => line.level >= 40)).toEqual([]);
});
