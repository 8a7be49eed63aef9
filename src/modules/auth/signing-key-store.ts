import type { EntityManager } from '@mikro-orm/postgresql';
import { importJWK, type CryptoKey, type JWK, type JWSHeaderParameters } from 'jose';
import type { JwtConfig } from '../../jwt.config';
import type { Logger } from '../../logger';
import {
  ensureSigningKey,
  listSigningKeys,
  loadPrivateKey,
  SigningKeyUnavailableError,
  type PublicSigningKey,
  type SigningAlgorithm,
} from './signing-key.service';

interface KnownKey extends PublicSigningKey {
  verifyKey: CryptoKey;
}

/** What a valid signature established about a token; true until `expiresAtMs`. */
export interface VerifiedAccessToken {
  kid: string;
  sessionId: string;
  userId: string;
  expiresAtMs: number;
}

const VERIFIED_TOKENS_MAX = 5_000;

export interface ActiveSigningKey {
  kid: string;
  algorithm: SigningAlgorithm;
  privateKey: CryptoKey;
}

/** The JWKS document: public members only, by construction (see signing-key.service.ts). */
export interface JsonWebKeySet {
  keys: JWK[];
}

/**
 * This instance's view of the signing_keys table, re-read every SIGNING_KEY_POLL_SECONDS so a
 * rotation made anywhere (the CLI, another instance) is published here within that time. Which
 * key signs is decided at each signing from the timestamps, not at the poll, so every instance
 * switches at the same moment.
 */
export class SigningKeyStore {
  private keys: KnownKey[] = [];
  private readonly privateKeys = new Map<string, Promise<CryptoKey>>();
  private timer: NodeJS.Timeout | undefined;
  private readonly verified = new Map<string, VerifiedAccessToken>();

  constructor(
    private readonly em: EntityManager,
    private readonly config: JwtConfig,
    private readonly logger: Logger,
  ) {}

  /** Makes the first key if there is none, loads the set, checks the signing key opens, starts polling. */
  async start(): Promise<void> {
    if (await ensureSigningKey(this.em, this.config)) this.logger.info('generated the first access-token signing key');
    await this.refresh();
    await this.signingKey();
    this.timer = setInterval(() => {
      this.refresh().catch((error: unknown) =>
        // The keys already loaded keep serving; the next poll tries again.
        this.logger.warn({ err: { message: (error as Error).message } }, 'could not re-read the signing keys'),
      );
    }, this.config.keyPollSeconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async refresh(): Promise<void> {
    const rows = await listSigningKeys(this.em);
    const previous = new Map(this.keys.map((key) => [key.id, key]));
    this.keys = await Promise.all(
      rows.map(async (row) => ({
        ...row,
        verifyKey:
          previous.get(row.id)?.verifyKey ?? ((await importJWK(row.publicJwk as JWK, row.algorithm)) as CryptoKey),
      })),
    );
    // A deleted key (a compromise rotation) must not keep signing from memory.
    const ids = new Set(rows.map((row) => row.id));
    for (const kid of this.privateKeys.keys()) if (!ids.has(kid)) this.privateKeys.delete(kid);
  }

  /** Published: not retired, or retired so recently that a token it signed may still be unexpired. */
  private published(now = Date.now()): KnownKey[] {
    const ttlMs = this.config.accessTokenTtlSeconds * 1000;
    return this.keys.filter((key) => key.retiredAt === null || key.retiredAt.getTime() + ttlMs > now);
  }

  jwks(): JsonWebKeySet {
    return {
      keys: this.published().map((key) => ({ ...(key.publicJwk as JWK), kid: key.id, alg: key.algorithm, use: 'sig' })),
    };
  }

  /** jose's key resolver: the published key named by `kid`, and only for its own algorithm. */
  verificationKey(header: JWSHeaderParameters): CryptoKey {
    const key = this.published().find((candidate) => candidate.id === header.kid);
    if (!key || key.algorithm !== header.alg) throw new Error('no such signing key');
    return key.verifyKey;
  }

  /**
   * Signature checks already done (ES256 costs ~0.6 ms of CPU, as much as the rest of a `me`).
   * Only the signature's verdict is remembered, never the session's: a token found here still
   * has its session checked on every request. An entry ends at the token's exp, or as soon as
   * its key is no longer published (a compromise rotation deletes the key).
   */
  recallVerified(token: string, now = Date.now()): VerifiedAccessToken | null {
    const entry = this.verified.get(token);
    if (!entry) return null;
    if (entry.expiresAtMs > now && this.published(now).some((key) => key.id === entry.kid)) return entry;
    this.verified.delete(token);
    return null;
  }

  rememberVerified(token: string, entry: VerifiedAccessToken): void {
    // Oldest first out: a Map iterates in insertion order.
    if (this.verified.size >= VERIFIED_TOKENS_MAX) this.verified.delete(this.verified.keys().next().value as string);
    this.verified.set(token, entry);
  }

  /** The key that signs now: the latest one whose activation time has come and that is not retired. */
  async signingKey(now = Date.now()): Promise<ActiveSigningKey> {
    const current = this.keys
      .filter((key) => key.activatesAt.getTime() <= now && (key.retiredAt === null || key.retiredAt.getTime() > now))
      .sort((a, b) => b.activatesAt.getTime() - a.activatesAt.getTime())[0];
    if (!current) throw new SigningKeyUnavailableError('No signing key is active.');
    let privateKey = this.privateKeys.get(current.id);
    if (!privateKey) {
      privateKey = loadPrivateKey(this.em, this.config, current.id);
      this.privateKeys.set(current.id, privateKey);
      // A failure (database briefly away) is not remembered: the next signing tries again.
      privateKey.catch(() => this.privateKeys.delete(current.id));
    }
    return { kid: current.id, algorithm: current.algorithm, privateKey: await privateKey };
  }

  /** Seconds a verifier may cache the JWKS: less than the gap between publishing a key and signing with it. */
  get jwksMaxAgeSeconds(): number {
    return Math.max(0, Math.min(300, this.config.keyActivationDelaySeconds - this.config.keyPollSeconds));
  }
}
