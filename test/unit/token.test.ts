import { createHash } from 'node:crypto';
import { generateSessionToken, hashSessionToken, parseAuthorizationHeader } from '../../src/lib/token';

test('tokens are 256-bit base64url strings, all different', () => {
  const tokens = new Set(Array.from({ length: 1000 }, generateSessionToken));
  expect(tokens.size).toBe(1000);
  for (const token of tokens) {
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
  }
});

test('the stored digest is SHA-256 of the token', () => {
  const token = generateSessionToken();
  expect(hashSessionToken(token)).toEqual(createHash('sha256').update(token).digest());
});

test('Authorization: Token or Bearer, scheme case-insensitive', () => {
  const token = generateSessionToken();
  for (const header of [
    `Token ${token}`,
    `Bearer ${token}`,
    `bearer ${token}`,
    `TOKEN   ${token}`,
    ` Token ${token} `,
  ]) {
    expect(parseAuthorizationHeader(header)).toEqual({ token, kind: 'session' });
  }
});

test('a missing header is "no credentials"; a malformed one is "bad credentials"', () => {
  expect(parseAuthorizationHeader(undefined)).toBeNull();
  expect(parseAuthorizationHeader('  ')).toBeNull();
  const token = generateSessionToken();
  for (const header of ['Token', `Basic ${token}`, `Token ${token} extra`, 'Token short', `Token ${token}!`, token]) {
    expect(parseAuthorizationHeader(header)).toEqual({ token: null });
  }
});

test('a JWT is told from a session token by its shape', () => {
  const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
  expect(parseAuthorizationHeader(`Bearer ${jwt}`)).toEqual({ token: jwt, kind: 'access' });
  expect(parseAuthorizationHeader(`Token ${jwt}`)).toEqual({ token: jwt, kind: 'access' });
  for (const bad of ['eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', 'a.b.c', `${jwt}.x`, `eyJ${'a'.repeat(9000)}.eyJa.b`]) {
    expect(parseAuthorizationHeader(`Bearer ${bad}`)).toEqual({ token: null });
  }
});
