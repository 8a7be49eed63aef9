import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

// Kept apart from db.ts (no ORM, no entities) so the jest global setup can start it outside the
// test VMs without loading the app's modules there.

export class EmbeddedDatabaseLockedError extends Error {
  constructor(dataDir: string, pid: number | null) {
    super(
      `The embedded database at ${dataDir} is in use by another process${pid ? ` (pid ${pid})` : ''}. ` +
        'Stop that process, or point DATABASE_URL elsewhere.',
    );
    this.name = 'EmbeddedDatabaseLockedError';
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Two processes writing one PGlite directory would corrupt it, and PGlite does not guard against
 * it. A lock file beside the directory (`<dir>.lock`, holding the owner's pid) does: created
 * exclusively, and taken over only when its owner is gone (after a crash or `kill -9`).
 */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lockPath = `${dataDir}.lock`;
  await mkdir(dirname(lockPath), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(lockPath, 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number((await readFile(lockPath, 'utf8').catch(() => '')).trim());
      if (owner > 0 && (owner === process.pid || isRunning(owner)))
        throw new EmbeddedDatabaseLockedError(dataDir, owner);
      await rm(lockPath, { force: true });
    }
  }
  throw new EmbeddedDatabaseLockedError(dataDir, null);
}

/**
 * An on-disk database gets a socket directory named after it, so one left behind by a killed
 * process is found and replaced at the next start (the data-directory lock makes it ours); an
 * in-memory one gets a fresh directory.
 */
async function socketDirectory(dataDir: string | null): Promise<string> {
  if (!dataDir) return mkdtemp(join(tmpdir(), 'authapi-pglite-'));
  const socketDir = join(tmpdir(), `authapi-pglite-${createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}`);
  await rm(socketDir, { recursive: true, force: true });
  await mkdir(socketDir, { mode: 0o700 });
  return socketDir;
}

/**
 * Embedded PostgreSQL: PGlite serves the Postgres wire protocol on a Unix socket in a private
 * (0700) directory, and the very same driver, entities and migrations as a real server connect to
 * it. The socket (not a TCP port) keeps other local users away from the data. PGlite is a single
 * session, so the pool holds exactly one connection.
 */
export async function startEmbeddedPostgres(dataDir: string | null, options: { background?: boolean } = {}) {
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const directory = dataDir ? resolve(dataDir) : null;
  const unlock = directory ? await lockDataDir(directory) : async () => undefined;
  try {
    if (directory) await mkdir(directory, { recursive: true });
    const db = directory ? await PGlite.create(directory) : await PGlite.create();
    const socketDir = await socketDirectory(directory);
    await chmod(socketDir, 0o700);
    const server = new PGLiteSocketServer({ db, path: join(socketDir, '.s.PGSQL.5432'), maxConnections: 1 });
    await server.start();
    // A short-lived tool (the MikroORM CLI) must end when its work does, not wait on the listener.
    if (options.background) (server as unknown as { server: { unref(): void } }).server.unref();
    return {
      /** A postgres:// URL whose host is the socket directory (node-postgres reads it so). */
      url: `postgres://postgres@${encodeURIComponent(socketDir)}:5432/postgres`,
      async stop() {
        await server.stop();
        await db.close();
        await rm(socketDir, { recursive: true, force: true });
        await unlock();
      },
    };
  } catch (error) {
    await unlock();
    throw error;
  }
}
