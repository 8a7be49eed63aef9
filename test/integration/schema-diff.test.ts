import { startTestApp, type TestApp } from '../support/test-app';

// The entities are the one source of truth for tables, columns, indexes and relations: after the
// committed migrations have run, MikroORM finds nothing to change. A column added to an entity
// without its generated migration (or the reverse) fails here, on PGlite and on PostgreSQL.
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

test('after migrating, the schema diff against the entities is empty', async () => {
  const diff = await t.app.orm.schema.getUpdateSchemaSQL({ wrap: false });
  expect(diff.trim()).toBe('');
});

test('no migration is pending, and the generated initial migration comes first', async () => {
  const migrator = t.app.orm.getMigrator();
  expect(await migrator.getPendingMigrations()).toEqual([]);
  const executed = (await migrator.getExecutedMigrations()).map((migration) => migration.name);
  expect(executed[0]).toBe('Migration20261201000000_initial');
});
