import { availableParallelism } from 'node:os';
import { loadConfig } from '../../src/config';
import { problemsOf } from '../support/config-problems';

test('defaults serve a development API on an embedded database in ./data', () => {
  expect(loadConfig({})).toMatchObject({
    nodeEnv: 'development',
    host: '127.0.0.1',
    port: 4000,
    database: { kind: 'pglite', dataDir: './data' },
    migrateOnStart: true,
    bcryptCost: 12,
    sessionTtlSeconds: 30 * 24 * 3600,
    passwordMinLength: 12,
    introspection: true,
  });
});

test('bcrypt runs on one core fewer than the machine has, so the event loop keeps one (issue 15)', () => {
  expect(loadConfig({}).hashConcurrency).toBe(Math.max(1, availableParallelism() - 1));
  expect(loadConfig({ HASH_CONCURRENCY: '3' }).hashConcurrency).toBe(3);
});

test('DATABASE_URL selects PostgreSQL, PGlite on disk or PGlite in memory', () => {
  expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/app' }).database).toEqual({
    kind: 'postgres',
    url: 'postgres://u:p@db:5432/app',
    poolMax: 10,
  });
  expect(loadConfig({ DATABASE_URL: 'postgresql://db/app', DATABASE_POOL_MAX: '3' }).database).toMatchObject({
    poolMax: 3,
  });
  expect(loadConfig({ DATABASE_URL: 'pglite:///var/lib/auth' }).database).toEqual({
    kind: 'pglite',
    dataDir: '/var/lib/auth',
  });
  expect(loadConfig({ DATABASE_URL: 'pglite://memory' }).database).toEqual({ kind: 'pglite', dataDir: null });
});

test('every bad variable is named at once', () => {
  const problems = problemsOf({
    PORT: 'eighty',
    BCRYPT_COST: '3',
    PASSWORD_MIN_LENGTH: '7',
    SESSION_TTL_SECONDS: '-5',
    NODE_ENV: 'staging',
    MIGRATE_ON_START: 'maybe',
    DATABASE_URL: 'mysql://x',
  });
  const named = [
    'PORT',
    'BCRYPT_COST',
    'PASSWORD_MIN_LENGTH',
    'SESSION_TTL_SECONDS',
    'NODE_ENV',
    'MIGRATE_ON_START',
    'DATABASE_URL',
  ];
  expect(problems).toHaveLength(named.length);
  for (const name of named) expect(problems.some((problem) => problem.startsWith(name))).toBe(true);
});

test('bounds: bcrypt cost 4..15, password minimum never below 8', () => {
  expect(problemsOf({ BCRYPT_COST: '16' })).toHaveLength(1);
  expect(loadConfig({ BCRYPT_COST: '4' }).bcryptCost).toBe(4);
  expect(loadConfig({ BCRYPT_COST: '15' }).bcryptCost).toBe(15);
  expect(problemsOf({ PASSWORD_MIN_LENGTH: '7' })).toHaveLength(1);
  expect(loadConfig({ PASSWORD_MIN_LENGTH: '8' }).passwordMinLength).toBe(8);
});

test('production turns introspection and the landing page off unless asked for', () => {
  expect(loadConfig({ NODE_ENV: 'production' }).introspection).toBe(false);
  expect(loadConfig({ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true' }).introspection).toBe(true);
});

test('a bad DATABASE_URL is named without echoing its secret', () => {
  const problems = problemsOf({ DATABASE_URL: 'postgres://user:s3cret@[bad' });
  expect(problems).toHaveLength(1);
  expect(problems[0]).toContain('DATABASE_URL');
  expect(problems[0]).not.toContain('s3cret');
});

test('access tokens and signing keys: defaults, ranges, and SECRET_KEY never echoed', () => {
  expect(loadConfig({}).jwt).toEqual({
    algorithm: 'ES256',
    issuer: 'authapi',
    audience: null,
    accessTokenTtlSeconds: 900,
    rotationGraceSeconds: 30,
    secretKey: null,
    keyPollSeconds: 5,
    keyActivationDelaySeconds: 15,
  });
  expect(loadConfig({ JWT_ALGORITHM: 'EdDSA', JWT_AUDIENCE: 'orders' }).jwt).toMatchObject({
    algorithm: 'EdDSA',
    audience: 'orders',
  });
  const problems = problemsOf({
    ACCESS_TOKEN_TTL_SECONDS: '4',
    TOKEN_ROTATION_GRACE_SECONDS: '301',
    JWT_ALGORITHM: 'HS256',
    SECRET_KEY: 'short-secret-value',
    SIGNING_KEY_POLL_SECONDS: '5',
    SIGNING_KEY_ACTIVATION_DELAY_SECONDS: '5',
  });
  expect(problems).toHaveLength(5);
  expect(problems.join('\n')).toMatch(/ACCESS_TOKEN_TTL_SECONDS must be a whole number from 5 to 86400/);
  expect(problems.join('\n')).toMatch(/TOKEN_ROTATION_GRACE_SECONDS must be a whole number from 0 to 300/);
  expect(problems.join('\n')).toMatch(/JWT_ALGORITHM must be one of ES256, EdDSA/);
  expect(problems.join('\n')).toMatch(/SECRET_KEY must be at least 32 characters/);
  expect(problems.join('\n')).not.toContain('short-secret-value');
  expect(problems.join('\n')).toMatch(/SIGNING_KEY_ACTIVATION_DELAY_SECONDS must be greater/);
});
