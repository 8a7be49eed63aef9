import { PassThrough } from 'node:stream';
import type { CliIO } from '../../src/cli/cli-runner';
import { startTestApp, testDatabaseEnv, type TestApp } from './test-app';

// The command line tools open their own connection, and embedded PGlite serves one at a time:
// a CLI test starts the app only around its checks (withApp), never while the tool runs.

export interface FakeCliIO {
  io: CliIO;
  /** Everything the tool wrote, so far. */
  output: { stdout: string; stderr: string };
}

/**
 * Streams for a tool, on the test database with fast hashing. `tty` makes stdin a terminal;
 * `typed` answers each password prompt in turn.
 */
export function fakeCliIO(options: { env?: Record<string, string>; tty?: boolean; typed?: string[] } = {}): FakeCliIO {
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
  stdin.isTTY = options.tty ?? false;
  const output = { stdout: '', stderr: '' };
  const sink = (key: 'stdout' | 'stderr') =>
    new PassThrough().on('data', (chunk: Buffer) => {
      output[key] += chunk.toString();
    });
  const io: CliIO = {
    stdin,
    stdout: sink('stdout'),
    stderr: sink('stderr'),
    env: { ...testDatabaseEnv(), BCRYPT_COST: '4', NODE_ENV: 'test', ...options.env },
  };
  const typed = options.typed ?? [];
  // Answer each prompt once it has been asked.
  let answered = 0;
  io.stdout.on('data', (chunk: Buffer) => {
    if (/Password.*: $/.test(chunk.toString()) && answered < typed.length) {
      const answer = typed[answered++];
      setImmediate(() => stdin.write(`${answer}\n`));
    }
  });
  return { io, output };
}

/** Starts the app for `check` and closes it after (the tables are left as they are). */
export async function withApp<T>(check: (t: TestApp) => Promise<T>): Promise<T> {
  const t = await startTestApp();
  try {
    return await check(t);
  } finally {
    await t.close();
  }
}
