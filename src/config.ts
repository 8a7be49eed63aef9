import { availableParallelism } from 'node:os';
import { parseMailConfig, type MailConfig } from './config-mail';
import { EnvReader, type Env } from './lib/env-reader';
import { parseFirstSuperuser, type FirstSuperuser } from './config-superuser';
import { parseJwt, type JwtConfig } from './jwt.config';
import { parseMetricsConfig, type MetricsConfig } from './config-metrics';

// The only module that reads the environment. Every variable is parsed and checked at once, so a
// bad deployment fails at start with one message naming each problem instead of failing later.

export type NodeEnv = 'development' | 'production' | 'test';

/** Where the data lives: a PostgreSQL server, or an embedded PGlite (on disk, or in memory). */
export type DatabaseConfig =
  { kind: 'postgres'; url: string; poolMax: number } | { kind: 'pglite'; dataDir: string | null };

export interface Config {
  nodeEnv: NodeEnv;
  host: string;
  port: number;
  database: DatabaseConfig;
  migrateOnStart: boolean;
  bcryptCost: number;
  sessionTtlSeconds: number;
  /** A session's lastUsedAt is written at most this often (sliding expiry aside). */
  sessionTouchIntervalSeconds: number;
  /** Upper bound on a validated token's life in memory (0 = always ask the database). */
  sessionCacheSeconds: number;
  /** At most this many validated tokens in memory (least recently used dropped first). */
  sessionCacheMaxEntries: number;
  /** At most this many live sessions per user (a new login drops the oldest); null = no cap. */
  sessionLimitPerUser: number;
  passwordMinLength: number;
  passwordMaxLength: number;
  /** Apollo Sandbox landing page and introspection. */
  introspection: boolean;
  /** Automatic persisted queries (Apollo's APQ, in-memory cache); off unless asked for. */
  persistedQueries: boolean;
  logLevel: string;
  throttle: ThrottleConfig;
  /** Counters live in PostgreSQL unless this is set. */
  redisUrl: string | null;
  /** How many proxies in front of us append to X-Forwarded-For; 0 = ignore the header. */
  trustProxyHops: number;
  /** bcrypt runs at most this many at once; beyond that, at most hashQueueMax wait. */
  hashConcurrency: number;
  hashQueueMax: number;
  /** Origins allowed by CORS; '*' entries are not accepted. */
  corsOrigins: string[];
  /** How long SIGTERM waits for in-flight requests before closing their connections. */
  shutdownTimeoutSeconds: number;
  /** SUPERUSER_USERNAME, _EMAIL and _PASSWORD: the first superuser, created at start while there is none. */
  firstSuperuser: FirstSuperuser | null;
  /** Bound on waiting for a pooled connection and on any one statement. */
  databaseTimeoutSeconds: number;
  jwt: JwtConfig;
  /** A pooled PostgreSQL connection unused this long is closed (the embedded one never is). */
  databasePoolIdleSeconds: number;
  /** How long a client may take to send a whole request (headers and body), then 408. */
  httpRequestTimeoutSeconds: number;
  /** How long a client may take to send a request's headers (at most the request timeout). */
  httpHeadersTimeoutSeconds: number;
  /** How long an idle keep-alive connection stays open between requests. */
  httpKeepAliveTimeoutSeconds: number;
  /** Transport, links, token lifetimes, verification mode, mail throttles (config-mail.ts). */
  mail: MailConfig;
  /** GET /metrics for Prometheus (config-metrics.ts); null = off. */
  metrics: MetricsConfig | null;
}

export interface ThrottleConfig {
  /** Consecutive failures per account and IP before the progressive delay starts. */
  loginDelayAfterFailures: number;
  loginDelayBaseSeconds: number;
  loginDelayMaxSeconds: number;
  loginFailuresPerAccount: number;
  loginFailuresPerAccountWindowSeconds: number;
  loginFailuresPerIp: number;
  loginFailuresPerIpWindowSeconds: number;
  registrationsPerIp: number;
  registrationsPerIpWindowSeconds: number;
  /** updateProfile answers "already taken": at most this many username/email changes per account. */
  identityProbesPerAccount: number;
  identityProbesWindowSeconds: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const DEFAULT_DATABASE_URL = 'pglite://./data';

function parseDatabase(reader: EnvReader): DatabaseConfig {
  const url = reader.string('DATABASE_URL', DEFAULT_DATABASE_URL);
  const poolMax = reader.integer('DATABASE_POOL_MAX', 10, 1, 1000);
  if (/^postgres(ql)?:\/\//i.test(url)) {
    try {
      new URL(url);
    } catch {
      // The URL may hold a password: name the variable, never echo its value.
      reader.problems.push('DATABASE_URL is not a valid postgres:// URL');
    }
    return { kind: 'postgres', url, poolMax };
  }
  const pglite = /^pglite:\/\/(.+)$/i.exec(url);
  if (pglite) {
    return { kind: 'pglite', dataDir: pglite[1] === 'memory' ? null : pglite[1] };
  }
  reader.problems.push(
    'DATABASE_URL must start with postgres://, postgresql:// or pglite:// (pglite://memory, pglite://<dir>)',
  );
  return { kind: 'pglite', dataDir: null };
}

function parseThrottle(reader: EnvReader): ThrottleConfig {
  const limit = (name: string, fallback: number) => reader.integer(name, fallback, 1, 1_000_000_000);
  const seconds = (name: string, fallback: number) => reader.integer(name, fallback, 1, 366 * 24 * 3600);
  return {
    loginDelayAfterFailures: limit('LOGIN_DELAY_AFTER_FAILURES', 5),
    loginDelayBaseSeconds: seconds('LOGIN_DELAY_BASE_SECONDS', 1),
    loginDelayMaxSeconds: seconds('LOGIN_DELAY_MAX_SECONDS', 15 * 60),
    loginFailuresPerAccount: limit('LOGIN_FAILURES_PER_ACCOUNT', 100),
    loginFailuresPerAccountWindowSeconds: seconds('LOGIN_FAILURES_PER_ACCOUNT_WINDOW_SECONDS', 3600),
    loginFailuresPerIp: limit('LOGIN_FAILURES_PER_IP', 100),
    loginFailuresPerIpWindowSeconds: seconds('LOGIN_FAILURES_PER_IP_WINDOW_SECONDS', 15 * 60),
    registrationsPerIp: limit('REGISTRATIONS_PER_IP', 50),
    registrationsPerIpWindowSeconds: seconds('REGISTRATIONS_PER_IP_WINDOW_SECONDS', 3600),
    identityProbesPerAccount: limit('IDENTITY_CHANGES_PER_ACCOUNT', 20),
    identityProbesWindowSeconds: seconds('IDENTITY_CHANGES_WINDOW_SECONDS', 3600),
  };
}

function parseOrigins(reader: EnvReader, nodeEnv: NodeEnv): string[] {
  const raw = reader.raw('CORS_ORIGINS');
  if (raw === undefined) {
    // Development: local front ends (by name and by address: a browser sends whichever the page
    // was opened with) and Apollo's hosted Sandbox; production: nobody until listed.
    return nodeEnv === 'production'
      ? []
      : [
          'http://localhost:3000',
          'http://localhost:5173',
          'http://localhost:4000',
          'http://127.0.0.1:3000',
          'http://127.0.0.1:5173',
          'http://127.0.0.1:4000',
          'https://studio.apollographql.com',
        ];
  }
  const origins = raw
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of origins) {
    let valid = false;
    try {
      const url = new URL(origin);
      valid = url.origin === origin && /^https?:$/.test(url.protocol);
    } catch {
      valid = false;
    }
    if (!valid) reader.problems.push(`CORS_ORIGINS must list origins like https://app.example.com (got "${origin}")`);
  }
  return origins;
}

function parseRedisUrl(reader: EnvReader): string | null {
  const url = reader.raw('REDIS_URL');
  if (url === undefined) return null;
  if (!/^rediss?:\/\/\S+$/i.test(url)) reader.problems.push('REDIS_URL must be a redis:// or rediss:// URL');
  return url;
}

function parseTrustProxy(reader: EnvReader): number {
  const raw = reader.raw('TRUST_PROXY')?.toLowerCase();
  if (raw === undefined || raw === 'false' || raw === '0') return 0;
  if (raw === 'true') return 1;
  return reader.integer('TRUST_PROXY', 0, 0, 10);
}

/** Reads and validates the whole configuration; throws ConfigError listing every problem. */
export function loadConfig(env: Env = process.env): Config {
  const reader = new EnvReader(env);
  const nodeEnv = reader.oneOf<NodeEnv>('NODE_ENV', 'development', ['development', 'production', 'test']);
  const passwordMinLength = reader.integer('PASSWORD_MIN_LENGTH', 12, 8, 128);
  const sessionTtlSeconds = reader.integer('SESSION_TTL_SECONDS', 30 * 24 * 3600, 60, 366 * 24 * 3600);
  const database = parseDatabase(reader);
  const port = reader.integer('PORT', 4000, 0, 65535);
  const config: Config = {
    nodeEnv,
    host: reader.string('HOST', '127.0.0.1'),
    port,
    database,
    migrateOnStart: reader.boolean('MIGRATE_ON_START', true),
    bcryptCost: reader.integer('BCRYPT_COST', 12, 4, 15),
    sessionTtlSeconds,
    sessionTouchIntervalSeconds: reader.integer('SESSION_TOUCH_INTERVAL_SECONDS', 300, 0, 86400),
    // Revocations reach the cache through LISTEN/NOTIFY; the TTL bounds only what no trigger reports.
    sessionCacheSeconds: reader.integer('SESSION_CACHE_SECONDS', 30, 0, 300),
    sessionCacheMaxEntries: reader.integer('SESSION_CACHE_MAX_ENTRIES', 10_000, 1, 10_000_000),
    sessionLimitPerUser: reader.integer('SESSION_LIMIT_PER_USER', 100, 1, 100000),
    passwordMinLength,
    passwordMaxLength: 1024,
    introspection: reader.boolean('GRAPHQL_INTROSPECTION', nodeEnv !== 'production'),
    persistedQueries: reader.boolean('GRAPHQL_PERSISTED_QUERIES', false),
    logLevel: reader.oneOf('LOG_LEVEL', nodeEnv === 'test' ? 'silent' : 'info', [
      'trace',
      'debug',
      'info',
      'warn',
      'error',
      'fatal',
      'silent',
    ]),
    throttle: parseThrottle(reader),
    redisUrl: parseRedisUrl(reader),
    trustProxyHops: parseTrustProxy(reader),
    // One core stays with the event loop, so authenticated reads keep flowing during a login flood.
    hashConcurrency: reader.integer('HASH_CONCURRENCY', Math.max(1, availableParallelism() - 1), 1, 64),
    hashQueueMax: reader.integer('HASH_QUEUE_MAX', 4 * Math.max(1, availableParallelism()), 0, 100000),
    corsOrigins: parseOrigins(reader, nodeEnv),
    shutdownTimeoutSeconds: reader.integer('SHUTDOWN_TIMEOUT_SECONDS', 10, 0, 600),
    databaseTimeoutSeconds: reader.integer('DATABASE_TIMEOUT_SECONDS', 5, 1, 300),
    firstSuperuser: parseFirstSuperuser(reader),
    jwt: parseJwt(reader),
    databasePoolIdleSeconds: reader.integer('DATABASE_POOL_IDLE_SECONDS', 30, 1, 3600),
    // A real client sends the at most 100 kB body in well under these; a slow-body (slowloris)
    // client holding connections open is cut off. Node's own defaults are 300 s and 60 s.
    httpRequestTimeoutSeconds: reader.integer('HTTP_REQUEST_TIMEOUT_SECONDS', 30, 1, 60),
    httpHeadersTimeoutSeconds: reader.integer('HTTP_HEADERS_TIMEOUT_SECONDS', 10, 1, 60),
    httpKeepAliveTimeoutSeconds: reader.integer('HTTP_KEEP_ALIVE_TIMEOUT_SECONDS', 5, 1, 60),
    mail: parseMailConfig(reader, nodeEnv, database),
    metrics: parseMetricsConfig(reader, port),
  };
  if (config.httpHeadersTimeoutSeconds > config.httpRequestTimeoutSeconds) {
    reader.problems.push('HTTP_HEADERS_TIMEOUT_SECONDS must not exceed HTTP_REQUEST_TIMEOUT_SECONDS');
  }
  if (reader.problems.length > 0) throw new ConfigError(reader.problems);
  return config;
}

/** createsuperuser's non-interactive password source (the server never reads it). */
export function superuserPasswordFromEnv(env: Env = process.env): string | undefined {
  return env.SUPERUSER_PASSWORD || undefined;
}
