import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { jwtVerify, SignJWT } from 'jose';
import type { Config } from '../../config';
import { isUuid } from '../../lib/ids';
import type { User } from '../user/user.entity';
import type { SessionCache } from './session-cache';
import { validateSessionById, type Viewer } from './session.service';
import type { SigningKeyStore } from './signing-key-store';

// Access tokens: short-lived JWTs stating who holds a live session. Other services verify them
// offline against /.well-known/jwks.json; this API also checks the session on every use.

/** The only algorithms ever accepted: asymmetric, so the published key can never sign (no HS*, no none). */
const ACCEPTED_ALGORITHMS = ['ES256', 'EdDSA'];
/** RFC 9068's media type: a JWT of another kind signed by the same key is not an access token. */
const ACCESS_TOKEN_TYPE = 'at+jwt';

export interface AccessTokenClaims {
  sub: string;
  sid: string;
  username: string;
  is_staff: boolean;
  is_superuser: boolean;
  perms: string[];
}

export interface IssuedAccessToken {
  accessToken: string;
  accessTokenExpiresAt: Date;
}

/** What a token says about its user; `permissionCodenames` comes from groups and permissions. */
export function accessTokenClaims(
  user: Pick<User, 'id' | 'username' | 'isStaff' | 'isSuperuser'>,
  sessionId: string,
  permissionCodenames: readonly string[],
): AccessTokenClaims {
  return {
    sub: user.id,
    sid: sessionId,
    username: user.username,
    is_staff: user.isStaff,
    is_superuser: user.isSuperuser,
    perms: [...permissionCodenames],
  };
}

export async function issueAccessToken(
  keys: SigningKeyStore,
  config: Config,
  claims: AccessTokenClaims,
): Promise<IssuedAccessToken> {
  const { issuer, audience, accessTokenTtlSeconds } = config.jwt;
  const key = await keys.signingKey();
  const issuedAt = Math.floor(Date.now() / 1000);
  const expiresAt = issuedAt + accessTokenTtlSeconds;
  const jwt = new SignJWT({ ...claims })
    .setProtectedHeader({ alg: key.algorithm, kid: key.kid, typ: ACCESS_TOKEN_TYPE })
    .setIssuer(issuer)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .setJti(randomUUID());
  if (audience) jwt.setAudience(audience);
  return { accessToken: await jwt.sign(key.privateKey), accessTokenExpiresAt: new Date(expiresAt * 1000) };
}

/**
 * The signature (by a published key, with that key's own algorithm), `exp`, `iss`, `aud` and the
 * type are checked by jose; any failure is null, never an exception, like an unknown session token.
 */
export async function verifyAccessToken(
  keys: SigningKeyStore,
  config: Config,
  token: string,
): Promise<{ sessionId: string; userId: string } | null> {
  const remembered = keys.recallVerified(token);
  if (remembered) return remembered;
  try {
    const { payload, protectedHeader } = await jwtVerify(token, (header) => keys.verificationKey(header), {
      algorithms: ACCEPTED_ALGORITHMS,
      issuer: config.jwt.issuer,
      audience: config.jwt.audience ?? undefined,
      typ: ACCESS_TOKEN_TYPE,
      requiredClaims: ['sub', 'sid', 'jti', 'iat', 'exp'],
    });
    if (typeof payload.sid !== 'string' || !isUuid(payload.sid) || !isUuid(payload.sub!)) return null;
    const verified = {
      kid: protectedHeader.kid!,
      sessionId: payload.sid,
      userId: payload.sub!,
      expiresAtMs: payload.exp! * 1000,
    };
    keys.rememberVerified(token, verified);
    return verified;
  } catch {
    return null;
  }
}

/**
 * An access token is as good as its session: after the signature, the session it names must
 * still be live and its user active, so a logout or deactivation is seen here at once.
 */
export async function validateAccessToken(
  em: EntityManager,
  token: string,
  keys: SigningKeyStore,
  config: Config,
  cache?: SessionCache,
): Promise<Viewer | null> {
  const verified = await verifyAccessToken(keys, config, token);
  if (!verified) return null;
  return validateSessionById(em, verified.sessionId, verified.userId, config, cache);
}
