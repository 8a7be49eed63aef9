import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from '../../src/app';
import { loadConfig, type Config } from '../../src/config';
import { restoreBuiltInAccess } from './access';

declare const TEST_DATABASE: 'pglite' | 'postgres';

/** The database this jest project runs on: the suite's PGlite, or TEST_DATABASE_URL. */
export function testDatabaseEnv(): Record<string, string> {
  if (TEST_DATABASE === 'postgres') {
    return { DATABASE_URL: process.env.TEST_DATABASE_URL as string, DATABASE_POOL_MAX: '5' };
  }
  // PGlite is one session: exactly one pooled connection.
  return { DATABASE_URL: process.env.PGLITE_TEST_URL as string, DATABASE_POOL_MAX: '1' };
}

// The throttle is on in every test, with limits no ordinary test reaches; the throttle tests set
// their own small ones.
const GENEROUS_LIMITS = {
  REGISTRATIONS_PER_IP: '1000000',
  LOGIN_FAILURES_PER_IP: '1000000',
  LOGIN_FAILURES_PER_ACCOUNT: '1000000',
  IDENTITY_CHANGES_PER_ACCOUNT: '1000000',
  HASH_QUEUE_MAX: '1000',
  PASSWORD_RESETS_PER_IP: '1000000',
};

const MAIL_OUTBOX_DIR = join(tmpdir(), `authapi-test-outbox-${process.pid}`);

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    BCRYPT_COST: '4',
    LOG_LEVEL: 'silent',
    // Test apps close with nothing in flight: no drain pause.
    SHUTDOWN_TIMEOUT_SECONDS: '0',
    // Without SMTP_URL mails become files: a private directory, not the working tree.
    MAIL_OUTBOX_DIR: MAIL_OUTBOX_DIR,
    ...GENEROUS_LIMITS,
    ...testDatabaseEnv(),
    ...env,
  });
}

export interface TestApp {
  app: App;
  url: string;
  /** Empties every table, so a test file starts from a known state. */
  reset(): Promise<void>;
  /** Raw SQL on the app's database, for what the API deliberately does not show; applied to the session cache before it returns. */
  sql<T = Record<string, any>>(query: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** The real app (real HTTP server, context builder, database) on a free port. */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const app = await createApp(testConfig(env));
  const url = await app.listen();
  return {
    app,
    url,
    reset: async () => {
      const connection = app.orm.em.getConnection();
      // CASCADE empties every table that references users (sessions, login names, memberships,
      // mail tokens, …).
      await connection.execute('truncate table users, rate_limits, mail_outbox cascade');
      await restoreBuiltInAccess((query, params) => connection.execute(query, params as unknown[]));
      await app.sessionChanges.caughtUp();
    },
    // A change made here reaches the session cache (through the triggers and the listener) before
    // the next request, as one made through the API would: each call waits for it.
    sql: async <T>(query: string, params: unknown[] = []) => {
      const rows = await app.orm.em.getConnection().execute<T[]>(query, params);
      await app.sessionChanges.caughtUp();
      return rows;
    },
    close: async () => {
      await app.close();
      // The registrations' confirmation mails (no SMTP_URL in most tests) leave nothing behind.
      await rm(MAIL_OUTBOX_DIR, { recursive: true, force: true });
    },
  };
}

/** Runs `body` against a fresh app with this configuration, on emptied tables, then closes it. */
export async function withTestApp(env: Record<string, string>, body: (t: TestApp) => Promise<void>): Promise<void> {
  const t = await startTestApp(env);
  await t.reset();
  try {
    await body(t);
  } finally {
    await t.close();
  }
}
