import { decryptSecret, encryptSecret } from '../../src/lib/secret-box';

const secret = 'a-test-secret-of-more-than-32-characters!';

test('sealed with AES-256-GCM: opens with the same secret and context only', () => {
  const sealed = encryptSecret('{"d":"private"}', secret, 'kid-1');
  expect(sealed).toMatch(/^v1\.[\w-]{16}\.[\w-]{22}\.[\w-]+$/);
  expect(sealed).not.toContain('private');
  expect(encryptSecret('{"d":"private"}', secret, 'kid-1')).not.toBe(sealed);
  expect(decryptSecret(sealed, secret, 'kid-1')).toBe('{"d":"private"}');
  expect(() => decryptSecret(sealed, `${secret}x`, 'kid-1')).toThrow();
  expect(() => decryptSecret(sealed, secret, 'kid-2')).toThrow();
  const [version, iv, tag, body] = sealed.split('.');
  const flipped = Buffer.from(body, 'base64url');
  flipped[0] ^= 1;
  expect(() => decryptSecret([version, iv, tag, flipped.toString('base64url')].join('.'), secret, 'kid-1')).toThrow();
});
