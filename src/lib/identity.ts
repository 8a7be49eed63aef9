import isEmail from 'validator/lib/isEmail';

// Usernames and emails are unique ignoring case. The canonical forms below are what the unique
// indexes hold, so the rule is enforced by the database and survives concurrent registrations.

export const USERNAME_MIN_LENGTH = 3;
export const USERNAME_MAX_LENGTH = 30;
export const EMAIL_MAX_LENGTH = 254;
export const NAME_MAX_LENGTH = 150;

const USERNAME_PATTERN = /^[\p{L}\p{M}\p{Nd}@.+\-_]+$/u;

/** NFKC folds look-alikes such as the full-width "Ｇ" into "G" before anything else is decided. */
export function normalizeUsername(username: string): string {
  return username.trim().normalize('NFKC');
}

/** Case-folded canonical form: upper then lower maps e.g. "ß" and "SS" together. */
export function canonicalUsername(username: string): string {
  return normalizeUsername(username).toUpperCase().toLowerCase().normalize('NFKC');
}

/**
 * The form in which a typed login name meets both usernames and email addresses (the login
 * matches either): NFKC and case folding, as for usernames. A username and an address that share
 * it would make one login name reach two accounts.
 */
export function loginNameKey(name: string): string {
  return canonicalUsername(name);
}

export function canonicalEmail(email: string): string {
  return email.trim().toLowerCase();
}

export const usernameMessages = {
  length: `Enter a username of ${USERNAME_MIN_LENGTH} to ${USERNAME_MAX_LENGTH} characters.`,
  characters: 'A username may contain only letters, digits and @ . + - _ characters.',
  mixedScripts: 'A username may not mix letters of different scripts (such as Latin and Cyrillic).',
};

export function hasUsernameLength(username: string): boolean {
  const length = [...normalizeUsername(username)].length;
  return length >= USERNAME_MIN_LENGTH && length <= USERNAME_MAX_LENGTH;
}

/** True for the empty name too: its problem is the length. */
export function hasOnlyUsernameCharacters(username: string): boolean {
  const normalized = normalizeUsername(username);
  return normalized === '' || USERNAME_PATTERN.test(normalized);
}

export function usernameProblems(username: string): string[] {
  const problems: string[] = [];
  if (!hasUsernameLength(username)) problems.push(usernameMessages.length);
  if (!hasOnlyUsernameCharacters(username)) problems.push(usernameMessages.characters);
  return problems;
}

export function emailProblems(email: string): string[] {
  const trimmed = email.trim();
  if (trimmed.length > EMAIL_MAX_LENGTH) return [`Enter an email address of at most ${EMAIL_MAX_LENGTH} characters.`];
  if (!isEmail(trimmed, { allow_utf8_local_part: true })) return ['Enter a valid email address.'];
  return [];
}

/** An email as stored: surrounding space removed, case kept (the canonical form ignores it). */
export function normalizeEmail(email: string): string {
  return email.trim();
}
