import type { EnvReader } from './lib/env-reader';

// The part of the configuration for access tokens and signing keys (issue 12), read by
// src/config.ts's loadConfig like every other variable.

/** Access tokens (JWT), session-token rotation and the signing keys (issue 12). */
export interface JwtConfig {
  /** For keys generated from now on; existing keys keep theirs until rotated. */
  algorithm: 'ES256' | 'EdDSA';
  issuer: string;
  audience: string | null;
  accessTokenTtlSeconds: number;
  /** How long a session token retired by refreshToken still works. */
  rotationGraceSeconds: number;
  /** Encrypts signing keys' private parts at rest (AES-256-GCM); null = stored in clear. */
  secretKey: string | null;
  /** Every instance re-reads the key table this often. */
  keyPollSeconds: number;
  /** A rotated-in key is published this long before anyone signs with it. */
  keyActivationDelaySeconds: number;
}

export function parseJwt(reader: EnvReader): JwtConfig {
  const secretKey = reader.raw('SECRET_KEY') ?? null;
  if (secretKey !== null && secretKey.length < 32) {
    // Never echo the value: name the variable and the rule.
    reader.problems.push('SECRET_KEY must be at least 32 characters (e.g. the output of `openssl rand -base64 48`)');
  }
  const keyPollSeconds = reader.integer('SIGNING_KEY_POLL_SECONDS', 5, 1, 10);
  const keyActivationDelaySeconds = reader.integer('SIGNING_KEY_ACTIVATION_DELAY_SECONDS', 15, 1, 3600);
  if (keyActivationDelaySeconds <= keyPollSeconds) {
    reader.problems.push('SIGNING_KEY_ACTIVATION_DELAY_SECONDS must be greater than SIGNING_KEY_POLL_SECONDS');
  }
  return {
    algorithm: reader.oneOf('JWT_ALGORITHM', 'ES256', ['ES256', 'EdDSA'] as const),
    issuer: reader.string('JWT_ISSUER', 'authapi'),
    audience: reader.raw('JWT_AUDIENCE') ?? null,
    accessTokenTtlSeconds: reader.integer('ACCESS_TOKEN_TTL_SECONDS', 900, 5, 86400),
    rotationGraceSeconds: reader.integer('TOKEN_ROTATION_GRACE_SECONDS', 30, 0, 300),
    secretKey,
    keyPollSeconds,
    keyActivationDelaySeconds,
  };
}
