import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { Server as NetServer, type AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDisableSuggestions } from '@apollo/server/plugin/disableSuggestions';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager, PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { Config } from './config';
import { createContext, type Context } from './context';
import { openDatabase } from './db/database';
import { AppError, createFormatError } from './errors';
import { rejectControlCharacters } from './http/control-characters';
import { recordOutcome } from './http/record-outcome';
import { createRequestHandler } from './http/request-handler';
import { Redis } from 'ioredis';
import { graphqlArmor, MAX_TOKENS, OnePasswordOperationPerRequest } from './http/graphql-limits';
import { createPasswordHasher, hashPassword, type PasswordHasher } from './lib/password-hash';
import { ensureFirstSuperuser } from './modules/admin/superuser.service';
import { createLogger, type Logger } from './logger';
import { SessionCache } from './modules/auth/session-cache';
import { startSessionInvalidation, type SessionInvalidation } from './modules/auth/session-invalidation';
import { SigningKeyStore } from './modules/auth/signing-key-store';
import { buildAppSchema } from './schema';
import { createThrottle } from './modules/auth/auth.throttle';
import { createMailer, type Mailer } from './modules/mail/mailer';
import { createMetrics, noMetrics } from './metrics/metrics';
import { closeNow, createMetricsHandler, createMetricsServer, listenOn } from './metrics/metrics-endpoint';

export interface App {
  config: Config;
  logger: Logger;
  orm: MikroORM<PostgreSqlDriver>;
  server: Server;
  /** METRICS_PORT's own listener (listening with `server`), else null. */
  metricsServer: Server | null;
  /** Validated tokens in memory; its stats() are the cache's counters. */
  sessionCache: SessionCache;
  /** The cache's change feed; `caughtUp()` waits until earlier commits have reached the cache. */
  sessionChanges: SessionInvalidation;
  /** Starts listening; resolves to the GraphQL endpoint's URL. */
  listen(): Promise<string>;
  /** Stops accepting, finishes in-flight requests, then closes the database. */
  close(): Promise<void>;
}

/**
 * Stops taking new connections at once, without dropping requests already sent. http.Server's
 * own close() would also shut every connection it deems idle, including one whose request has
 * arrived but is not parsed yet (a busy event loop), so the listener is closed at the net level
 * and open connections get a short grace to deliver what they sent; responses meanwhile say
 * `Connection: close` and /readyz says 503. Then idle connections close, and requests still
 * running get up to `timeoutMs` before their connections are cut.
 */
async function drainHttpServer(server: Server, timeoutMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
  await new Promise((resolve) => setTimeout(resolve, Math.min(500, timeoutMs)));
  server.closeIdleConnections();
  const cut = setTimeout(() => server.closeAllConnections(), timeoutMs);
  await closed;
  clearTimeout(cut);
}

/** SUPERUSER_* at start: created, or why not (the fields' problems; never the password). */
async function createFirstSuperuser(
  em: EntityManager,
  services: { config: Config; hasher: PasswordHasher },
  logger: Logger,
): Promise<void> {
  try {
    const created = await ensureFirstSuperuser(em, services);
    if (created) logger.info({ username: created.username, id: created.id }, 'created the first superuser');
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    logger.warn({ fields: error.extensions.fields }, 'SUPERUSER_USERNAME/_EMAIL/_PASSWORD: no superuser was created');
  }
}

/** The composition root: main.ts, the CLI and the tests all build the app through here. */
export async function createApp(config: Config, overrides: { logger?: Logger } = {}): Promise<App> {
  const logger =
    overrides.logger ?? createLogger(config.logLevel, undefined, { pretty: config.nodeEnv === 'development' });
  const database = await openDatabase(config.database, config.databaseTimeoutSeconds, {
    idleSeconds: config.databasePoolIdleSeconds,
  });
  let stopSigningKeys = () => undefined as void;
  let mailer: Mailer | undefined;
  let sessionChanges: SessionInvalidation | undefined;
  try {
    if (config.migrateOnStart) {
      const applied = await database.migrate();
      if (applied.length > 0) logger.info({ migrations: applied }, 'applied migrations');
    }
    if (config.nodeEnv === 'production' && !config.jwt.secretKey) {
      logger.warn(
        'SECRET_KEY is not set: access-token signing keys are stored unencrypted in the database. Set SECRET_KEY to a random value of at least 32 characters (e.g. `openssl rand -base64 48`) and run `npm run rotate-signing-key`.',
      );
    }
    // Every instance signs with and publishes the same keys, kept in the database.
    const signingKeys = new SigningKeyStore(database.orm.em, config.jwt, logger);
    await signingKeys.start();
    stopSigningKeys = () => signingKeys.stop();
    const schema = await buildAppSchema();
    // Unknown login names are checked against this, at the configured cost, so they take as long
    // as a wrong password. Made once per process from random bytes: it matches nothing.
    const dummyPasswordHash = await hashPassword(randomBytes(32).toString('hex'), config.bcryptCost);
    const production = config.nodeEnv === 'production';
    const hasher = createPasswordHasher({
      cost: config.bcryptCost,
      concurrency: config.hashConcurrency,
      queueMax: config.hashQueueMax,
    });
    await createFirstSuperuser(database.orm.em.fork(), { config, hasher }, logger);
    const sessionCache = new SessionCache({
      ttlMs: config.sessionCacheSeconds * 1000,
      maxEntries: config.sessionCacheMaxEntries,
      needsChangeFeed: true,
    });
    sessionChanges = await startSessionInvalidation(database, sessionCache, logger);
    // Off (no METRICS_PORT or METRICS_TOKEN): no registry, and the request path skips the hook.
    const metrics = config.metrics ? createMetrics(config.metrics) : null;
    metrics?.watch({ hasher, sessionCache, orm: database.orm });
    const recorder = metrics ?? noMetrics;
    const redis = config.redisUrl ? new Redis(config.redisUrl, { maxRetriesPerRequest: 2 }) : null;
    const throttle = createThrottle(config, database.orm, redis, recorder.throttleRefused);
    // The outbox worker starts here, so mail queued before a restart goes out even before listen().
    mailer = createMailer(config, database.orm, redis, logger, recorder.throttleRefused);
    const armor = graphqlArmor({ production });
    const server = createServer({
      requestTimeout: config.httpRequestTimeoutSeconds * 1000,
      headersTimeout: config.httpHeadersTimeoutSeconds * 1000,
      keepAliveTimeout: config.httpKeepAliveTimeoutSeconds * 1000,
      // Node checks the request and header timeouts only this often (30 s by default), so a
      // bound would otherwise be overrun by up to that much.
      connectionsCheckingInterval: Math.min(1000, (config.httpHeadersTimeoutSeconds * 1000) / 4),
    });
    const apollo = new ApolloServer<Context>({
      schema,
      formatError: createFormatError(logger, { production }),
      includeStacktraceInErrorResponses: false,
      introspection: config.introspection,
      csrfPrevention: true,
      // main.ts owns the signals: it drains, closes the database, then exits 0.
      stopOnTerminationSignals: false,
      allowBatchedHttpRequests: false,
      // Off by default: nothing here needs them, and when off a client's persisted-query
      // extension is answered PERSISTED_QUERY_NOT_SUPPORTED (APQ clients then send the query).
      persistedQueries: config.persistedQueries ? {} : false,
      parseOptions: { maxTokens: MAX_TOKENS },
      validationRules: [...armor.validationRules, OnePasswordOperationPerRequest],
      plugins: [
        ...armor.plugins,
        rejectControlCharacters,
        recordOutcome,
        config.introspection
          ? ApolloServerPluginLandingPageLocalDefault({ embed: true, footer: false })
          : ApolloServerPluginLandingPageDisabled(),
        ...(production ? [ApolloServerPluginDisableSuggestions()] : []),
        // Apollo's defaults: cache hints (never given; security.ts sends no-store), federation traces.
        ApolloServerPluginCacheControlDisabled(),
        ApolloServerPluginInlineTraceDisabled(),
      ],
    });
    await apollo.start();
    const metricsHandler = metrics && createMetricsHandler(metrics, config.metrics!, logger);
    const metricsServer = metricsHandler && config.metrics!.port !== null ? createMetricsServer(metricsHandler) : null;
    const contextDependencies = {
      em: database.orm.em,
      config,
      logger,
      dummyPasswordHash,
      hasher,
      throttle,
      sessionCache,
      signingKeys,
      mailer,
      metrics: recorder,
    };
    server.on(
      'request',
      createRequestHandler(apollo, {
        logger,
        corsOrigins: config.corsOrigins,
        trustProxyHops: config.trustProxyHops,
        landingPage: config.introspection,
        isReady: async () => !closing && (await database.isReady()),
        isDraining: () => closing !== undefined,
        jwks: () => ({ body: signingKeys.jwks(), maxAgeSeconds: signingKeys.jwksMaxAgeSeconds }),
        createContext: (request) => createContext(contextDependencies, request),
        observeOperation: metrics?.observeOperation,
        metricsEndpoint: metricsServer ? undefined : (metricsHandler ?? undefined),
      }),
    );
    let closing: Promise<void> | undefined;
    return {
      config,
      logger,
      orm: database.orm,
      server,
      metricsServer,
      sessionCache,
      sessionChanges,
      listen: async () => {
        if (metricsServer) await listenOn(metricsServer, config.metrics!.port!, config.metrics!.host);
        return new Promise((resolve, reject) => {
          server.once('error', reject);
          server.listen(config.port, config.host, () => {
            const { port } = server.address() as AddressInfo;
            const host = config.host.includes(':') ? `[${config.host}]` : config.host;
            resolve(`http://${host}:${port}/graphql`);
          });
        });
      },
      close: () =>
        (closing ??= (async () => {
          if (server.listening) await drainHttpServer(server, config.shutdownTimeoutSeconds * 1000);
          if (metricsServer?.listening) await closeNow(metricsServer);
          await apollo.stop();
          signingKeys.stop();
          await mailer!.close();
          await throttle.close();
          await sessionChanges!.close();
          await database.close();
        })()),
    };
  } catch (error) {
    stopSigningKeys();
    await mailer?.close();
    await sessionChanges?.close();
    await database.close();
    throw error;
  }
}
