import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// Kept apart from db.ts (no ORM, no entities) so the jest global setup can start it outside the
// test VMs without loading the app's modules there.

/**
 * Embedded PostgreSQL: PGlite serves the Postgres wire protocol on a Unix socket in a private
 * (0700) directory, and the very same driver, entities and migrations as a real server connect to
 * it. The socket (not a TCP port) keeps other local users away from the data. PGlite is a single
 * session, so the pool holds exactly one connection.
 */
export async function startEmbeddedPostgres(dataDir: string | null) {
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  if (dataDir) await mkdir(resolve(dataDir), { recursive: true });
  const db = dataDir ? await PGlite.create(resolve(dataDir)) : await PGlite.create();
  const socketDir = await mkdtemp(join(tmpdir(), 'authapi-pglite-'));
  await chmod(socketDir, 0o700);
  const server = new PGLiteSocketServer({ db, path: join(socketDir, '.s.PGSQL.5432'), maxConnections: 1 });
  await server.start();
  return {
    /** A postgres:// URL whose host is the socket directory (node-postgres reads it so). */
    url: `postgres://postgres@${encodeURIComponent(socketDir)}:5432/postgres`,
    async stop() {
      await server.stop();
      await db.close();
      await rm(socketDir, { recursive: true, force: true });
    },
  };
}
