import type { startEmbeddedPostgres } from '../../src/db/embedded-postgres';

export default async function globalTeardown(): Promise<void> {
  const embedded = (globalThis as { embeddedPostgres?: Awaited<ReturnType<typeof startEmbeddedPostgres>> })
    .embeddedPostgres;
  await embedded?.stop();
}
