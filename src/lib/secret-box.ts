import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

// Encryption at rest for small secrets (signing keys' private parts): AES-256-GCM under a key
// derived from SECRET_KEY with HKDF, so the configured string is never used as a key directly.
// The caller's `context` (e.g. the key id) is bound as additional data: a ciphertext copied to
// another row does not decrypt there.

const VERSION = 'v1';

function derivedKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'authapi', 'authapi signing keys v1', 32));
}

export function encryptSecret(plaintext: string, secret: string, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', derivedKey(secret), iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), ciphertext]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

/** Throws when the secret or the context differs from the one used to encrypt. */
export function decryptSecret(sealed: string, secret: string, context: string): string {
  const [version, iv, tag, ciphertext] = sealed.split('.');
  if (version !== VERSION || !iv || !tag || ciphertext === undefined) throw new Error('Unknown sealed-secret format.');
  const decipher = createDecipheriv('aes-256-gcm', derivedKey(secret), Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
}
