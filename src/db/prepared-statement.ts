import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * A named prepared statement on a pooled connection, bypassing the query builder: the server
 * parses and plans it once per connection instead of on every call. For the per-request hot
 * path only (measured: ~0.2 ms against ~1 ms through `findOne` with `populate`); the text uses
 * $1, $2 placeholders. Not for use inside a transaction.
 */
export async function executePrepared<T>(
  em: EntityManager,
  name: string,
  text: string,
  values: unknown[],
): Promise<T[]> {
  const client = em.getConnection().getKnex().client;
  const connection = await client.acquireConnection();
  try {
    const result = await connection.query({ name, text, values });
    return result.rows as T[];
  } finally {
    await client.releaseConnection(connection);
  }
}
