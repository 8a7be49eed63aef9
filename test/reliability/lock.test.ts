import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { killAllServers, register, startServer, tempDir, whoAmI, type ServerProcess } from './support';

// Two processes on one embedded data directory would corrupt it: the second must refuse to
// start, plainly, and leave the first one alone.

let root: string;
let dataDir: string;
let first: ServerProcess;

beforeAll(async () => {
  root = await tempDir('lock');
  dataDir = join(root, 'db');
  first = await startServer({ DATABASE_URL: `pglite://${dataDir}` });
}, 60_000);

afterAll(async () => {
  await killAllServers();
  if (root) await rm(root, { recursive: true, force: true });
}, 30_000);

test('a second process on the same directory exits non-zero with one clear line, and the first keeps serving', async () => {
  const before = await register(first.baseUrl);

  const second = await startServer({ DATABASE_URL: `pglite://${dataDir}` }, { waitForReady: false });
  const exit = await second.waitForExit(30_000);
  expect(exit.signal).toBeNull();
  expect(exit.code).not.toBe(0);

  const lines = second.stderr.split('\n').filter((line) => line.trim() !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain('in use by another process');
  expect(lines[0]).toContain(String(first.pid));
  expect(second.stderr).not.toMatch(/^\s+at /m);
  expect(second.stderr).not.toMatch(/Error:|node_modules|\.js:\d+/);
  // It never listened, never printed the ready line.
  expect(second.logs().some((line) => String(line.msg).startsWith('GraphQL API ready'))).toBe(false);

  // The first one still owns the lock and still serves reads and writes.
  expect(readFileSync(`${dataDir}.lock`, 'utf8').trim()).toBe(String(first.pid));
  expect(first.isAlive()).toBe(true);
  expect(await whoAmI(first.baseUrl, before.token)).toEqual({ id: before.id });
  const after = await register(first.baseUrl);
  expect(await whoAmI(first.baseUrl, after.token)).toEqual({ id: after.id });

  // And once it stops cleanly, the directory is free for the next process.
  expect(await first.stop()).toEqual({ code: 0, signal: null });
  expect(existsSync(`${dataDir}.lock`)).toBe(false);
  const third = await startServer({ DATABASE_URL: `pglite://${dataDir}` });
  expect(await whoAmI(third.baseUrl, after.token)).toEqual({ id: after.id });
  expect(await third.stop()).toEqual({ code: 0, signal: null });
}, 90_000);
