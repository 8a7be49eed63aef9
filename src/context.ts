import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from './config';
import { unauthenticated, UnauthenticatedReason } from './errors';
import type { PasswordHasher } from './lib/password-hash';
import { parseAuthorizationHeader } from './lib/token';
import type { Logger } from './logger';
import type { Throttle } from './modules/auth/auth.throttle';
import type { SessionCache } from './modules/auth/session-cache';
import { validateAccessToken } from './modules/auth/access-token.service';
import type { Mailer } from './modules/mail/mailer';
import type { MetricsRecorder } from './metrics/metrics';
import { validateSessionToken, type Viewer } from './modules/auth/session.service';
import { loadPermissionSet, PermissionSet } from './modules/permission/permission.service';
import type { SigningKeyStore } from './modules/auth/signing-key-store';

export interface RequestInfo {
  authorization: string | undefined;
  userAgent: string | null;
  /** The client's address (from X-Forwarded-For only behind TRUST_PROXY hops). */
  ip: string;
  /** Filled in while the request runs, for the access log line. */
  log: { operationName?: string | null; outcome?: string };
}

export interface Context {
  em: EntityManager;
  config: Config;
  logger: Logger;
  request: RequestInfo;
  /** A hash of a random password, compared against when the login name is unknown. */
  dummyPasswordHash: string;
  hasher: PasswordHasher;
  throttle: Throttle;
  /** Optional validated-token cache; revoking operations tell it what to forget. */
  sessionCache: SessionCache;
  /** Signs access tokens and verifies them (issue 12). */
  signingKeys: SigningKeyStore;
  /** Mail: whether it is configured, its throttles, the outbox worker's wake-up. */
  mailer: Mailer;
  /** Login outcomes for /metrics; a no-op when metrics are off. */
  metrics: MetricsRecorder;
  /** The session's user, looked up on first use and at most once per request; null if none. */
  viewer(): Promise<Viewer | null>;
  /** The viewer, or UNAUTHENTICATED telling "no credentials" from "invalid or expired token". */
  requireViewer(): Promise<Viewer>;
  /**
   * The viewer's permissions (none without one), loaded by the first check of the request in one
   * query and reused by every later one; never kept across requests.
   */
  permissions(): Promise<PermissionSet>;
}

export interface ContextDependencies {
  em: EntityManager;
  config: Config;
  logger: Logger;
  dummyPasswordHash: string;
  hasher: PasswordHasher;
  throttle: Throttle;
  sessionCache: SessionCache;
  signingKeys: SigningKeyStore;
  mailer: Mailer;
  metrics: MetricsRecorder;
}

/**
 * Builds a request's context. It never throws and does no I/O itself: the token is looked up
 * only when a resolver asks for the viewer, so register and login never depend on whatever
 * (stale, garbage) Authorization header the client still sends.
 */
export function createContext(dependencies: ContextDependencies, request: RequestInfo): Context {
  const credentials = parseAuthorizationHeader(request.authorization);
  let forked: EntityManager | undefined;
  // This request's own unit of work, forked on first use: a request that never touches the
  // database (or is refused early) pays nothing for it.
  const em = () => (forked ??= dependencies.em.fork());
  let viewerPromise: Promise<Viewer | null> | undefined;
  // The token lookup is one prepared statement; its row is mapped into a managed `User` of this
  // request's EntityManager, so services work with an entity, not a copy.
  // An access token (JWT) is verified first, then its session is checked like a session token's.
  const viewer = () =>
    (viewerPromise ??= !credentials?.token
      ? Promise.resolve(null)
      : credentials.kind === 'access'
        ? validateAccessToken(
            em(),
            credentials.token,
            dependencies.signingKeys,
            dependencies.config,
            dependencies.sessionCache,
          )
        : validateSessionToken(em(), credentials.token, dependencies.config, dependencies.sessionCache));
  let permissionsPromise: Promise<PermissionSet> | undefined;
  const permissions = () =>
    (permissionsPromise ??= viewer().then((found) =>
      found ? loadPermissionSet(em(), found.user) : PermissionSet.none,
    ));
  return {
    config: dependencies.config,
    logger: dependencies.logger,
    dummyPasswordHash: dependencies.dummyPasswordHash,
    hasher: dependencies.hasher,
    throttle: dependencies.throttle,
    sessionCache: dependencies.sessionCache,
    signingKeys: dependencies.signingKeys,
    mailer: dependencies.mailer,
    metrics: dependencies.metrics,
    get em() {
      return em();
    },
    request,
    viewer,
    permissions,
    async requireViewer() {
      const found = await viewer();
      if (found) return found;
      throw unauthenticated(credentials ? UnauthenticatedReason.INVALID_TOKEN : UnauthenticatedReason.NO_CREDENTIALS);
    },
  };
}
