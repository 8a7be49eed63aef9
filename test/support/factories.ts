import { randomBytes } from 'node:crypto';
import { graphql } from './graphql';
import { LOGIN, REGISTER } from './documents';

let sequence = 0;

/** A fresh, valid registration; override any field. */
export function newUserInput(overrides: Record<string, unknown> = {}) {
  sequence += 1;
  const suffix = `${sequence}${randomBytes(3).toString('hex')}`;
  return {
    username: `user${suffix}`,
    email: `user${suffix}@example.com`,
    password: `Vivid-Copper-${randomBytes(4).toString('hex')}-Lantern`,
    ...overrides,
  };
}

export interface RegisteredUser {
  id: string;
  username: string;
  email: string;
  password: string;
  token: string;
}

export async function registerUser(url: string, overrides: Record<string, unknown> = {}): Promise<RegisteredUser> {
  const input = newUserInput(overrides);
  const result = await graphql(url, REGISTER, { input });
  if (result.errors) throw new Error(`register failed: ${result.text}`);
  const payload = result.data!.register;
  return {
    id: payload.user.id,
    username: input.username,
    email: input.email,
    password: input.password,
    token: payload.token,
  };
}

export async function loginUser(url: string, username: string, password: string): Promise<string> {
  const result = await graphql(url, LOGIN, { input: { username, password } });
  if (result.errors) throw new Error(`login failed: ${result.text}`);
  return result.data!.login.token;
}

/** A registered user promoted by SQL (there is deliberately no API to promote). */
export async function registerStaff(
  url: string,
  sql: (query: string, params?: unknown[]) => Promise<unknown>,
  options: { superuser?: boolean } = {},
): Promise<RegisteredUser> {
  const user = await registerUser(url);
  await sql('update users set is_staff = true, is_superuser = ? where id = ?', [options.superuser ?? false, user.id]);
  return user;
}
