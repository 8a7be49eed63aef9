import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../config';
import { addFieldError, badUserInput, messages, type FieldErrors } from '../../errors';
import { canonicalEmail, canonicalUsername, normalizeUsername, USERNAME_MAX_LENGTH } from '../../lib/identity';
import type { PasswordHasher } from '../../lib/password-hash';
import { isUuid } from '../../lib/ids';
import { execute, toDate } from '../../lib/sql';
import { User, type UserRecord } from './user.entity';
import { newUserProblems, profileChangeProblems, type NewUserFields, type ProfileChanges } from './user.validation';

// Reads go through plain SQL selecting exactly the columns a UserRecord needs: no hydration,
// no identity map, and queries shaped for the indexes in the migration.
export const USER_COLUMNS = `u.id, u.username, u.email, u.first_name as "firstName", u.last_name as "lastName",
  u.is_active as "isActive", u.is_staff as "isStaff", u.is_superuser as "isSuperuser",
  u.date_joined as "dateJoined", u.last_login as "lastLogin"`;

export const USERS_PAGE_MAX = 100;

/** A row selected with USER_COLUMNS, as the driver returns it. */
export type UserRow = Omit<UserRecord, 'dateJoined' | 'lastLogin'> & {
  dateJoined: string | Date;
  lastLogin: string | Date | null;
};

export function toUserRecord(row: UserRow): UserRecord {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    firstName: row.firstName,
    lastName: row.lastName,
    isActive: row.isActive,
    isStaff: row.isStaff,
    isSuperuser: row.isSuperuser,
    dateJoined: toDate(row.dateJoined),
    lastLogin: toDate(row.lastLogin),
  };
}

// Above every character a username may contain, so `prefix || MAX` bounds a prefix range.
const MAX_CODE_POINT = '\u{10FFFF}';
const CURSOR_PREFIX = 'u:';

export async function findUserById(em: EntityManager, id: string): Promise<UserRecord | null> {
  // A malformed id cannot name a user; answering null here also keeps it away from the uuid cast.
  if (!isUuid(id)) return null;
  const rows = await execute<UserRow[]>(em, `select ${USER_COLUMNS} from users u where u.id = ?`, [id]);
  return rows[0] ? toUserRecord(rows[0]) : null;
}

/** Which of a username and an email are already taken, as field errors. */
export async function takenIdentityErrors(
  em: EntityManager,
  identity: { username?: string; email?: string },
  exceptUserId: string | null = null,
): Promise<FieldErrors> {
  const fields: FieldErrors = {};
  const username = identity.username === undefined ? null : canonicalUsername(identity.username);
  const email = identity.email === undefined ? null : canonicalEmail(identity.email);
  if (username === null && email === null) return fields;
  const rows = await execute<{ usernameTaken: boolean; emailTaken: boolean }[]>(
    em,
    `select coalesce(bool_or(username_canonical = ?), false) as "usernameTaken",
            coalesce(bool_or(email_canonical = ?), false) as "emailTaken"
       from users where (username_canonical = ? or email_canonical = ?) and id is distinct from ?`,
    [username, email, username, email, exceptUserId],
  );
  if (rows[0]?.usernameTaken) addFieldError(fields, 'username', messages.usernameTaken);
  if (rows[0]?.emailTaken) addFieldError(fields, 'email', messages.emailTaken);
  return fields;
}

export function passwordPolicy(config: Config) {
  return { minLength: config.passwordMinLength, maxLength: config.passwordMaxLength };
}

/**
 * Validates everything, reporting all problems at once; then hashes (holding no connection)
 * and inserts, running `then` in the same transaction. Uniqueness is the unique indexes' job:
 * a concurrent duplicate fails the INSERT and is reported as the same field error, never a 500.
 */
export async function createUser<T>(
  em: EntityManager,
  input: NewUserFields,
  options: { config: Config; hasher: PasswordHasher; isStaff?: boolean; isSuperuser?: boolean },
  then: (tx: EntityManager, user: UserRecord) => Promise<T>,
): Promise<T> {
  const identity = { username: input.username, email: input.email };
  const fields = newUserProblems(input, passwordPolicy(options.config));
  if (Object.keys(fields).length > 0) {
    const taken = await takenIdentityErrors(em, identity);
    for (const [field, problems] of Object.entries(taken))
      if (!fields[field]) addFieldError(fields, field, ...problems);
    throw badUserInput(fields);
  }
  const passwordHash = await options.hasher.hash(input.password);
  const user: UserRecord = {
    id: randomUUID(),
    username: normalizeUsername(input.username),
    email: input.email.trim(),
    firstName: input.firstName ?? '',
    lastName: input.lastName ?? '',
    isActive: true,
    isStaff: options.isStaff ?? false,
    isSuperuser: options.isSuperuser ?? false,
    dateJoined: new Date(),
    lastLogin: null,
  };
  try {
    return await em.transactional(async (tx) => {
      await tx.insert(User, {
        ...user,
        usernameCanonical: canonicalUsername(input.username),
        emailCanonical: canonicalEmail(input.email),
        passwordHash,
      });
      return then(tx, user);
    });
  } catch (error) {
    if (!(error instanceof UniqueConstraintViolationException)) throw error;
    throw badUserInput(await identityConflictErrors(em, identity, null));
  }
}

/** After a unique violation: which field collided (the row that won may be another request's). */
export async function identityConflictErrors(
  em: EntityManager,
  identity: { username?: string; email?: string },
  exceptUserId: string | null,
): Promise<FieldErrors> {
  const taken = await takenIdentityErrors(em, identity, exceptUserId);
  return Object.keys(taken).length > 0 ? taken : { nonFieldErrors: [messages.usernameTaken] };
}

export function encodeCursor(usernameCanonical: string): string {
  return Buffer.from(CURSOR_PREFIX + usernameCanonical, 'utf8').toString('base64url');
}

/** The canonical username a cursor points after, or a BAD_USER_INPUT for anything forged. */
export function decodeCursor(cursor: string): string {
  const invalid = badUserInput({ after: [messages.invalidCursor] });
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) throw invalid;
  const bytes = Buffer.from(cursor, 'base64url');
  const text = bytes.toString('utf8');
  // Round-trips only for text this server could have produced (valid UTF-8, canonical base64).
  if (Buffer.from(text, 'utf8').toString('base64url') !== cursor || !text.startsWith(CURSOR_PREFIX)) throw invalid;
  const key = text.slice(CURSOR_PREFIX.length);
  if (key.length === 0 || [...key].length > USERNAME_MAX_LENGTH * 3 || canonicalUsername(key) !== key) throw invalid;
  return key;
}

export interface UsersPage {
  users: UserRecord[];
  /** Where the next page starts (the last user's canonical username), or null. */
  lastKey: string | null;
  hasNextPage: boolean;
  countTotal: () => Promise<number>;
}

/**
 * Keyset pagination on the unique canonical username: every page, however deep, is one index
 * range scan. The prefix search is a range on the same index, so `%` and `_` are plain text.
 */
export async function listUsers(
  em: EntityManager,
  options: { first: number; after?: string | null; search?: string | null },
): Promise<UsersPage> {
  if (!Number.isInteger(options.first) || options.first < 1 || options.first > USERS_PAGE_MAX) {
    throw badUserInput({ first: [messages.firstOutOfRange(USERS_PAGE_MAX)] });
  }
  const after = options.after ? decodeCursor(options.after) : null;
  const prefix = options.search ? canonicalUsername(options.search) : '';
  const filter: string[] = [];
  const params: unknown[] = [];
  if (prefix) {
    filter.push('u.username_canonical >= ? and u.username_canonical < ?');
    params.push(prefix, prefix + MAX_CODE_POINT);
  }
  const where = (extra: string[]) => (extra.length ? `where ${extra.join(' and ')}` : '');
  const pageFilter = after ? [...filter, 'u.username_canonical > ?'] : filter;
  const pageParams = after ? [...params, after] : params;
  const rows = await execute<(UserRow & { usernameCanonical: string })[]>(
    em,
    `select ${USER_COLUMNS}, u.username_canonical as "usernameCanonical" from users u ${where(pageFilter)}
      order by u.username_canonical limit ?`,
    [...pageParams, options.first + 1],
  );
  return {
    users: rows.slice(0, options.first).map(toUserRecord),
    lastKey: rows.slice(0, options.first).at(-1)?.usernameCanonical ?? null,
    hasNextPage: rows.length > options.first,
    // Unfiltered: the exact count the triggers keep (see the user_count migration), not a scan of
    // the table. Filtered: a count over the prefix's index range.
    countTotal: async () => {
      const [row] = await execute<{ count: string }[]>(
        em,
        prefix
          ? `select count(*) as count from users u ${where(filter)}`
          : 'select user_count as count from user_stats',
        params,
      );
      return Number(row.count);
    },
  };
}

/**
 * Applies the given profile changes (null or absent = unchanged) with registration's rules.
 * Uniqueness ignores case and the user itself, so re-submitting one's own email in another
 * case succeeds.
 */
export async function updateUserProfile(
  em: EntityManager,
  userId: string,
  changes: ProfileChanges,
): Promise<UserRecord> {
  const identity = {
    ...(changes.username != null ? { username: changes.username } : {}),
    ...(changes.email != null ? { email: changes.email } : {}),
  };
  const fields = profileChangeProblems(changes);
  const taken = await takenIdentityErrors(em, identity, userId);
  for (const [field, problems] of Object.entries(taken)) if (!fields[field]) addFieldError(fields, field, ...problems);
  if (Object.keys(fields).length > 0) throw badUserInput(fields);

  const assignments: string[] = [];
  const params: unknown[] = [];
  const assign = (column: string, value: unknown) => {
    assignments.push(`${column} = ?`);
    params.push(value);
  };
  if (identity.username !== undefined) {
    assign('username', normalizeUsername(identity.username));
    assign('username_canonical', canonicalUsername(identity.username));
  }
  if (identity.email !== undefined) {
    assign('email', identity.email.trim());
    assign('email_canonical', canonicalEmail(identity.email));
  }
  if (changes.firstName != null) assign('first_name', changes.firstName);
  if (changes.lastName != null) assign('last_name', changes.lastName);
  if (assignments.length > 0) {
    try {
      await execute(em, `update users set ${assignments.join(', ')} where id = ?`, [...params, userId]);
    } catch (error) {
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
      throw badUserInput(await identityConflictErrors(em, identity, userId));
    }
  }
  const user = await findUserById(em, userId);
  if (!user) throw badUserInput({ nonFieldErrors: [messages.userNotFound] });
  return user;
}
