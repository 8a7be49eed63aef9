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

export function canonicalEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function usernameProblems(username: string): string[] {
  const normalized = normalizeUsername(username);
  const length = [...normalized].length;
  const problems: string[] = [];
  if (length < USERNAME_MIN_LENGTH || length > USERNAME_MAX_LENGTH) {
    problems.push(`Enter a username of ${USERNAME_MIN_LENGTH} to ${USERNAME_MAX_LENGTH} characters.`);
  }
  if (length > 0 && !USERNAME_PATTERN.test(normalized)) {
    problems.push('A username may contain only letters, digits and @ . + - _ characters.');
  }
  return problems;
}

export function emailProblems(email: string): string[] {
  const trimmed = email.trim();
  if (trimmed.length > EMAIL_MAX_LENGTH) return [`Enter an email address of at most ${EMAIL_MAX_LENGTH} characters.`];
  if (!isEmail(trimmed, { allow_utf8_local_part: true })) return ['Enter a valid email address.'];
  return [];
}

export function nameProblems(name: string, label: string): string[] {
  return [...name].length > NAME_MAX_LENGTH ? [`Enter a ${label} of at most ${NAME_MAX_LENGTH} characters.`] : [];
}
