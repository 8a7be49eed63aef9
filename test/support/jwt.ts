import { importJWK, type CryptoKey, type JWK } from 'jose';
import { USER_FIELDS } from './documents';
import { graphql, type GraphQLResult } from './graphql';

// Helpers for the access-token tests (issue 12). Values always travel as variables.

export const LOGIN_WITH_ACCESS = `mutation Login($input: LoginInput!) {
  login(input: $input) { token expiresAt accessToken accessTokenExpiresAt user { id username } }
}`;
export const REGISTER_WITH_ACCESS = `mutation Register($input: RegisterInput!) {
  register(input: $input) { token expiresAt accessToken accessTokenExpiresAt user { ${USER_FIELDS} } }
}`;
export const REFRESH_TOKEN = `mutation Refresh($token: String!) {
  refreshToken(token: $token) { token expiresAt accessToken accessTokenExpiresAt user { id username } }
}`;
export const ME_ID = `query { me { id username } }`;
export const CURRENT_SESSION = `query { sessions { id current } }`;

export interface AccessPair {
  token: string;
  accessToken: string;
  accessTokenExpiresAt: string;
}

export async function loginWithAccess(url: string, username: string, password: string): Promise<AccessPair> {
  const result = await graphql(url, LOGIN_WITH_ACCESS, { input: { username, password } });
  if (result.errors) throw new Error(`login failed: ${result.text}`);
  return result.data!.login;
}

/** `me` with `Authorization: Bearer <jwt>`. */
export function meWithBearer(url: string, jwt: string): Promise<GraphQLResult> {
  return graphql(url, ME_ID, {}, { headers: { authorization: `Bearer ${jwt}` } });
}

export function jwksUrl(graphqlUrl: string): URL {
  return new URL('/.well-known/jwks.json', graphqlUrl);
}

export async function fetchJwks(graphqlUrl: string): Promise<{ keys: JWK[] }> {
  return (await fetch(jwksUrl(graphqlUrl))).json() as Promise<{ keys: JWK[] }>;
}

/** The decoded header or payload of a compact JWT, without verifying anything. */
export function jwtPart(jwt: string, part: 0 | 1): Record<string, any> {
  return JSON.parse(Buffer.from(jwt.split('.')[part], 'base64url').toString('utf8'));
}

/** The server's own private key, read from the database (stored in clear when SECRET_KEY is unset). */
export async function serverPrivateKey(
  sql: (query: string, params?: unknown[]) => Promise<Record<string, any>[]>,
  kid: string,
): Promise<CryptoKey> {
  const [row] = await sql('select algorithm, private_key, private_key_encryption from signing_keys where id = ?', [
    kid,
  ]);
  if (row.private_key_encryption !== 'none') throw new Error('the key is sealed');
  return (await importJWK(JSON.parse(row.private_key), row.algorithm)) as CryptoKey;
}
