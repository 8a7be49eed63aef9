// Databases for the benchmark: throwaway PostgreSQL databases (created and dropped through `pg`)
// or PGlite data directories; set-based seeding; and EXPLAIN (ANALYZE, BUFFERS) of the service's SQL.
import { performance } from 'node:perf_hooks';
import pg from 'pg';

const { Client } = pg;

/** A SQL client with one shape for PostgreSQL (`pg`) and PGlite (opened on a data directory). */
export async function openSql(target) {
  if (target.kind === 'postgres') {
    const client = new Client({ connectionString: target.url, connectionTimeoutMillis: 5_000 });
    await client.connect();
    return {
      query: async (sql, params = []) => (await client.query(sql, params)).rows,
      close: () => client.end(),
    };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create(target.dataDir);
  return {
    query: async (sql, params = []) => (await db.query(sql, params)).rows,
    close: () => db.close(),
  };
}

/** The URL with its database name replaced. */
export function withDatabase(url, database) {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

const quoteIdent = (name) => `"${name.replace(/"/g, '""')}"`;

/** True when a PostgreSQL server answers at the URL within a few seconds. */
export async function postgresReachable(url) {
  try {
    const sql = await openSql({ kind: 'postgres', url });
    await sql.query('select 1');
    await sql.close();
    return true;
  } catch {
    return false;
  }
}

export async function createDatabase(maintenanceUrl, name, template = null) {
  const sql = await openSql({ kind: 'postgres', url: maintenanceUrl });
  try {
    await sql.query(`create database ${quoteIdent(name)}${template ? ` template ${quoteIdent(template)}` : ''}`);
  } finally {
    await sql.close();
  }
}

export async function dropDatabase(maintenanceUrl, name) {
  const sql = await openSql({ kind: 'postgres', url: maintenanceUrl });
  try {
    await sql.query(`drop database if exists ${quoteIdent(name)} with (force)`);
  } finally {
    await sql.close();
  }
}

export async function serverVersion(target) {
  const sql = await openSql(target);
  try {
    const [row] = await sql.query('select version() as version');
    return row.version;
  } finally {
    await sql.close();
  }
}

// ----- seeding -----------------------------------------------------------------------------------

export const SEED_PAD = 7;
const pad = (n) => String(n).padStart(SEED_PAD, '0');
/** The display and canonical username of seeded user number n (1-based). */
export const seedUsername = (n) => `Seed${pad(n)}`;
export const seedCanonical = (n) => `seed${pad(n)}`;

const BATCH = 100_000;

// Deterministic ids, so sessions can point at users without a join: md5(text) is 32 hex = a uuid.
const SEED_USERS_SQL = `
  insert into users (id, username, username_canonical, email, email_canonical, password_hash,
                     first_name, last_name, is_active, is_staff, is_superuser, date_joined)
  select md5('seed-user-' || g)::uuid,
         'Seed' || lpad(g::text, ${SEED_PAD}, '0'),
         'seed' || lpad(g::text, ${SEED_PAD}, '0'),
         'Seed' || lpad(g::text, ${SEED_PAD}, '0') || '@example.com',
         'seed' || lpad(g::text, ${SEED_PAD}, '0') || '@example.com',
         $3::text, 'Seed', 'User ' || g, true, false, false,
         now() - make_interval(secs => g)
    from generate_series($1::int, $2::int) g`;

const SEED_SESSIONS_SQL = `
  insert into sessions (id, user_id, token_hash, created_at, expires_at, last_used_at, user_agent)
  select md5('seed-session-' || g)::uuid,
         md5('seed-user-' || ((g - 1) % $3::int + 1))::uuid,
         sha256(('seed' || g)::bytea),
         now(), now() + interval '30 days', now(), 'bench-seed'
    from generate_series($1::int, $2::int) g`;

async function insertInBatches(sql, label, from, to, statement, extraParams, log) {
  const started = performance.now();
  const total = to - from + 1;
  for (let start = from; start <= to; start += BATCH) {
    const end = Math.min(to, start + BATCH - 1);
    await sql.query(statement, [start, end, ...extraParams]);
    const done = end - from + 1;
    if (total > BATCH || end === to) {
      log(
        `    ${label}: ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} ` +
          `(${((performance.now() - started) / 1000).toFixed(1)} s)`,
      );
    }
  }
  return (performance.now() - started) / 1000;
}

/** Inserts users 1..count, all with the same (valid) bcrypt hash. Returns the seconds it took. */
export function seedUsers(sql, count, passwordHash, log) {
  return insertInBatches(sql, 'users', 1, count, SEED_USERS_SQL, [passwordHash], log);
}

/** Inserts live sessions numbered from..to, spread over seeded users 1..userCount. */
export function seedSessions(sql, from, to, userCount, log) {
  return insertInBatches(sql, 'sessions', from, to, SEED_SESSIONS_SQL, [userCount], log);
}

export async function vacuumAnalyze(sql, tables) {
  const started = performance.now();
  for (const table of tables) await sql.query(`vacuum (analyze) ${table}`);
  return (performance.now() - started) / 1000;
}

export async function tableCounts(sql) {
  const [row] = await sql.query(
    'select (select count(*) from users)::int as users, (select count(*) from sessions)::int as sessions',
  );
  return row;
}

// ----- query plans -------------------------------------------------------------------------------

// The SQL of src/modules/user/user.service.ts listUsers, with `?` written as $n. Keep in step.
const USER_COLUMNS = `u.id, u.username, u.email, u.first_name as "firstName", u.last_name as "lastName",
  u.is_active as "isActive", u.is_staff as "isStaff", u.is_superuser as "isSuperuser",
  u.date_joined as "dateJoined", u.last_login as "lastLogin"`;
const PAGE_SELECT = `select ${USER_COLUMNS}, u.username_canonical as "usernameCanonical" from users u`;
export const MAX_CODE_POINT = '\u{10FFFF}';

export function planQueries({ deepAfter, searchPrefix, pageSize }) {
  const limit = pageSize + 1;
  return {
    firstPage: {
      sql: `${PAGE_SELECT} order by u.username_canonical limit $1`,
      params: [limit],
      expectIndex: 'users_username_canonical_key',
    },
    deepPage: {
      sql: `${PAGE_SELECT} where u.username_canonical > $1 order by u.username_canonical limit $2`,
      params: [deepAfter, limit],
      expectIndex: 'users_username_canonical_key',
    },
    searchPrefix: {
      sql: `${PAGE_SELECT} where u.username_canonical >= $1 and u.username_canonical < $2 order by u.username_canonical limit $3`,
      params: [searchPrefix, searchPrefix + MAX_CODE_POINT, limit],
      expectIndex: 'users_username_canonical_key',
    },
    // The service reads the trigger-kept count for an unfiltered totalCount (user_count migration).
    countAll: { sql: 'select user_count as count from user_stats', params: [] },
    countPrefix: {
      sql: 'select count(*) as count from users u where u.username_canonical >= $1 and u.username_canonical < $2',
      params: [searchPrefix, searchPrefix + MAX_CODE_POINT],
      expectIndex: 'users_username_canonical_key',
    },
  };
}

// The session lookup of src/modules/auth/auth.service.ts validateSessionToken (every `me`).
export function sessionLookupQuery(tokenHash) {
  return {
    sql: `select s.id as "sessionId", s.expires_at as "expiresAt", s.last_used_at as "lastUsedAt", ${USER_COLUMNS}
       from sessions s join users u on u.id = s.user_id
      where s.token_hash = $1 and s.expires_at > $2 and u.is_active`,
    params: [tokenHash, new Date()],
    expectIndex: 'sessions_token_hash_key',
  };
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) twice (the first run warms the cache) and summarises the second:
 * which indexes it scans, whether any table is read by a sequential scan, and the execution time.
 */
export async function explain(sql, { sql: text, params, expectIndex }) {
  await sql.query(`explain (analyze, buffers) ${text}`, params);
  const rows = await sql.query(`explain (analyze, buffers) ${text}`, params);
  const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
  const indexes = [...plan.matchAll(/Index (?:Only )?Scan(?: Backward)? (?:using|on) (\S+)/g)].map((match) => match[1]);
  const seqScans = [...plan.matchAll(/Seq Scan on (\S+)/g)].map((match) => match[1]);
  const executionMs = Number(/Execution Time: ([\d.]+) ms/.exec(plan)?.[1] ?? NaN);
  return {
    plan,
    indexes: [...new Set(indexes)],
    seqScans: [...new Set(seqScans)],
    executionMs,
    usesExpectedIndex: expectIndex ? indexes.includes(expectIndex) && seqScans.length === 0 : null,
  };
}
