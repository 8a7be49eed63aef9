import type { EntityManager } from '@mikro-orm/postgresql';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { JwtConfig } from '../../jwt.config';
import { decryptSecret, encryptSecret } from '../../lib/secret-box';
import { SigningKey } from './signing-key.entity';

export type SigningAlgorithm = SigningKey['algorithm'];

// Any fixed number: the transaction-level advisory lock that serialises changes to the key set,
// so two instances starting at once on an empty table make one key, not two, and a rotation
// never interleaves with a first start.
const SIGNING_KEYS_LOCK = 7_036_541_212;

/** Retired keys older than this (the longest access-token lifetime) are deleted at rotation. */
const MAX_ACCESS_TOKEN_TTL_MS = 86_400 * 1000;

async function lockKeySet(tx: EntityManager): Promise<void> {
  // Raw SQL: an advisory lock has no ORM equivalent.
  await tx.execute('select pg_advisory_xact_lock(?)', [SIGNING_KEYS_LOCK]);
}

async function newSigningKey(tx: EntityManager, config: JwtConfig, activatesAt: Date): Promise<SigningKey> {
  const algorithm = config.algorithm;
  const { publicKey, privateKey } = await generateKeyPair(algorithm, { extractable: true });
  const { kty, crv, x, y } = await exportJWK(publicKey);
  const publicJwk = JSON.parse(JSON.stringify({ kty, crv, x, y })) as JWK;
  const kid = await calculateJwkThumbprint(publicJwk);
  const privateJwk = JSON.stringify(await exportJWK(privateKey));
  const key = tx.create(SigningKey, {
    id: kid,
    algorithm,
    publicJwk: publicJwk as Record<string, unknown>,
    privateKey: config.secretKey ? encryptSecret(privateJwk, config.secretKey, kid) : privateJwk,
    privateKeyEncryption: config.secretKey ? 'aes-256-gcm' : 'none',
    activatesAt,
  });
  await tx.flush();
  return key;
}

/** The first start makes a key that signs at once; later starts (and a racing instance) find one. */
export function ensureSigningKey(em: EntityManager, config: JwtConfig): Promise<boolean> {
  return em.fork().transactional(async (tx) => {
    await lockKeySet(tx);
    if ((await tx.count(SigningKey, { retiredAt: null })) > 0) return false;
    await newSigningKey(tx, config, new Date());
    return true;
  });
}

/**
 * Adds a key that signs from `now + SIGNING_KEY_ACTIVATION_DELAY_SECONDS`, once every instance
 * (polling every SIGNING_KEY_POLL_SECONDS) publishes it; the keys signing until then retire at
 * that moment and stay published for one more token lifetime. `compromised`: the new key signs
 * at once and every other key is deleted, so nothing they signed verifies any more.
 */
export function rotateSigningKey(
  em: EntityManager,
  config: JwtConfig,
  options: { compromised?: boolean } = {},
): Promise<SigningKey> {
  return em.fork().transactional(async (tx) => {
    await lockKeySet(tx);
    const now = new Date();
    // With no key yet (nothing has been published), there is nobody to wait for.
    const immediate = options.compromised || (await tx.count(SigningKey, {})) === 0;
    const activatesAt = new Date(now.getTime() + (immediate ? 0 : config.keyActivationDelaySeconds * 1000));
    if (options.compromised) {
      await tx.nativeDelete(SigningKey, {});
    } else {
      await tx.nativeUpdate(
        SigningKey,
        { $or: [{ retiredAt: null }, { retiredAt: { $gt: activatesAt } }] },
        { retiredAt: activatesAt },
      );
      await tx.nativeDelete(SigningKey, { retiredAt: { $lt: new Date(now.getTime() - MAX_ACCESS_TOKEN_TTL_MS) } });
    }
    return newSigningKey(tx, config, activatesAt);
  });
}

/** The public parts of every key, without the private column. */
export type PublicSigningKey = Pick<
  SigningKey,
  'id' | 'algorithm' | 'publicJwk' | 'createdAt' | 'activatesAt' | 'retiredAt'
>;

export function listSigningKeys(em: EntityManager): Promise<PublicSigningKey[]> {
  return em.fork().find(
    SigningKey,
    {},
    {
      fields: ['id', 'algorithm', 'publicJwk', 'createdAt', 'activatesAt', 'retiredAt'],
      orderBy: { activatesAt: 'asc' },
    },
  );
}

export class SigningKeyUnavailableError extends Error {}

/** Reads and, when sealed, decrypts one key's private part. */
export async function loadPrivateKey(em: EntityManager, config: JwtConfig, kid: string): Promise<CryptoKey> {
  const row = await em
    .fork()
    .findOne(SigningKey, { id: kid }, { fields: ['algorithm', 'privateKey', 'privateKeyEncryption'] });
  if (!row) throw new SigningKeyUnavailableError(`Signing key ${kid} is gone.`);
  let jwk: string = row.privateKey;
  if (row.privateKeyEncryption === 'aes-256-gcm') {
    if (!config.secretKey) {
      throw new SigningKeyUnavailableError(
        `Signing key ${kid} is encrypted: set SECRET_KEY to the value that encrypted it.`,
      );
    }
    try {
      jwk = decryptSecret(row.privateKey, config.secretKey, kid);
    } catch {
      throw new SigningKeyUnavailableError(
        `Signing key ${kid} does not decrypt with this SECRET_KEY: set the value that encrypted it, or rotate with --compromised.`,
      );
    }
  }
  return (await importJWK(JSON.parse(jwk) as JWK, row.algorithm)) as CryptoKey;
}
