import { startEmbeddedPostgres } from '../../src/db/embedded-postgres';

// PGlite cannot start inside a jest test-file VM, so one in-memory instance is started here,
// outside it, and the tests reach it through its socket with the ordinary driver (the same
// path the server uses for embedded databases).
export default async function globalSetup(): Promise<void> {
  const embedded = await startEmbeddedPostgres(null);
  (globalThis as { embeddedPostgres?: typeof embedded }).embeddedPostgres = embedded;
  process.env.PGLITE_TEST_URL = embedded.url;
}
