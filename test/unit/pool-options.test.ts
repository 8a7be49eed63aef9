import { loadConfig } from '../../src/config';
import { ormOptions } from '../../src/db/orm.config';

// The pool: PostgreSQL's shrinks when idle; the embedded database keeps its one connection
// (issue 11, item 11), and retries opening a new one rather than failing a request.

test('DATABASE_POOL_IDLE_SECONDS: 30 by default, 1 to 3600', () => {
  expect(loadConfig({}).databasePoolIdleSeconds).toBe(30);
  expect(loadConfig({ DATABASE_POOL_IDLE_SECONDS: '1' }).databasePoolIdleSeconds).toBe(1);
  expect(() => loadConfig({ DATABASE_POOL_IDLE_SECONDS: '0' })).toThrow(/DATABASE_POOL_IDLE_SECONDS/);
  expect(() => loadConfig({ DATABASE_POOL_IDLE_SECONDS: '3601' })).toThrow(/DATABASE_POOL_IDLE_SECONDS/);
});

test('PostgreSQL: from zero to the maximum, idle connections closed', () => {
  const { pool } = ormOptions('postgres://db/app', 10, 5, { idleSeconds: 7 });
  expect(pool).toMatchObject({ min: 0, max: 10, idleTimeoutMillis: 7000 });
});

test('embedded: exactly one connection, never reaped, reopened with retries', () => {
  const { pool } = ormOptions('postgres://%2Ftmp%2Fx:5432/postgres', 1, 5, { idleSeconds: 1, embedded: true });
  expect(pool).toMatchObject({ min: 1, max: 1, propagateCreateError: false });
});
