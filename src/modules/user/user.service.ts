import type { EntityManager } from '@mikro-orm/postgresql';
import { addFieldError, badUserInput, messages, type FieldErrors } from '../../errors';
import { execute, toDate } from '../../lib/sql';
import { canonicalEmail, canonicalUsername, USERNAME_MAX_LENGTH } from '../../lib/identity';
import type { UserRecord } from './user.entity';

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

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Above every character a username may contain, so `prefix || MAX` bounds a prefix range.
const MAX_CODE_POINT = '\u{10FFFF}';
const CURSOR_PREFIX = 'u:';

export async function findUserById(em: EntityManager, id: string): Promise<UserRecord | null> {
  // A malformed id cannot name a user; answering null here also keeps it away from the uuid cast.
  if (!UUID_PATTERN.test(id)) return null;
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
    countTotal: async () => {
      const [row] = await execute<{ count: string }[]>(
        em,
        `select count(*) as count from users u ${where(filter)}`,
        params,
      );
      return Number(row.count);
    },
  };
}
