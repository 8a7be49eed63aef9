import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Runs raw SQL on the EntityManager's connection, inside its transaction when it has one.
 * (Using a second pooled connection while a transaction holds the first would deadlock on
 * embedded PGlite, whose pool has exactly one.)
 */
export function execute<T = Record<string, unknown>[]>(
  em: EntityManager,
  query: string,
  params: unknown[] = [],
): Promise<T> {
  return em.getConnection().execute(query, params, 'all', em.getTransactionContext()) as Promise<T>;
}

/** Like execute, for statements whose row count matters (UPDATE, DELETE). */
export async function executeCount(em: EntityManager, query: string, params: unknown[] = []): Promise<number> {
  const result = await em
    .getConnection()
    .execute<{ affectedRows: number }>(query, params, 'run', em.getTransactionContext());
  return result.affectedRows;
}

/** The driver hands timestamptz over as text (MikroORM keeps it so for its own mapping). */
export function toDate(value: string | Date): Date;
export function toDate(value: string | Date | null): Date | null;
export function toDate(value: string | Date | null): Date | null {
  if (value === null || value instanceof Date) return value;
  return new Date(value);
}

/**
 * A named prepared statement on a pooled connection, bypassing the query builder: the server
 * parses and plans it once per connection instead of on every call. For the per-request hot
 * path only; the text uses $1, $2 placeholders. Not for use inside a transaction.
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
