import { canonicalUsername } from './identity';

// Permission codenames and group names. A codename is what other services compare against the
// token's `perms` claim, so its shape is strict; a group name is free text, unique ignoring case.

export const CODENAME_MAX_LENGTH = 100;
export const PERMISSION_NAME_MAX_LENGTH = 255;
export const GROUP_NAME_MAX_LENGTH = 150;

const CODENAME_PATTERN = /^[a-z0-9_]+\.[a-z0-9_]+$/;

/** "app.action": lower-case letters, digits and _, with exactly one dot, at most 100 characters. */
export function isCodename(value: string): boolean {
  return value.length <= CODENAME_MAX_LENGTH && CODENAME_PATTERN.test(value);
}

/** Names are stored as typed, after NFKC and trimming (as usernames are). */
export function normalizeName(name: string): string {
  return name.trim().normalize('NFKC');
}

/** What the unique index on groups holds: the same case folding as usernames. */
export function canonicalGroupName(name: string): string {
  return canonicalUsername(name);
}

/** Codename order that does not depend on the database's collation: plain code-unit order. */
export function sortCodenames(codenames: Iterable<string>): string[] {
  return [...new Set(codenames)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
