import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { badUserInput, messages, type FieldErrors } from '../../errors';
import { confusableSkeleton } from '../../lib/confusables';
import { canonicalEmail, canonicalUsername, loginNameKey, USERNAME_MAX_LENGTH } from '../../lib/identity';
import type { PasswordHasher } from '../../lib/password-hash';
import { isUuid } from '../../lib/ids';
import { LoginName } from './login-name.entity';
import { User } from './user.entity';

export const USERS_PAGE_MAX = 100;
const CURSOR_PREFIX = 'u:';

export async function findUserById(em: EntityManager, id: string): Promise<User | null> {
  // A malformed id cannot name a user; answering null here also keeps it away from the uuid cast.
  if (!isUuid(id)) return null;
  return em.findOne(User, { id: id.toLowerCase() });
}

export function findTakenIdentity(
  em: EntityManager,
  identity: { username?: string; email?: string },
  exceptUserId: string | null,
) {
  return em.getRepository(User).findTakenIdentity(identity, exceptUserId);
}

/**
 * After a unique violation (a concurrent registration won the race): which field collided,
 * reported as the same field error validation gives.
 */
async function identityConflictErrors(
  em: EntityManager,
  identity: { username?: string; email?: string },
  exceptUserId: string | null,
): Promise<FieldErrors> {
  const taken = await findTakenIdentity(em.fork(), identity, exceptUserId);
  const fields: FieldErrors = {};
  if (taken.username) fields.username = [messages.usernameTaken];
  if (taken.email) fields.email = [messages.emailTaken];
  return Object.keys(fields).length > 0 ? fields : { nonFieldErrors: [messages.usernameTaken] };
}

/** Turns the unique indexes' answer into the field errors validation would have given. */
export async function withIdentityConflicts<T>(
  em: EntityManager,
  identity: { username?: string; email?: string },
  exceptUserId: string | null,
  write: () => Promise<T>,
): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!(error instanceof UniqueConstraintViolationException)) throw error;
    throw badUserInput(await identityConflictErrors(em, identity, exceptUserId));
  }
}

/** The user's login names (username and address, folded alike) and look-alike skeleton, set anew. */
async function setLoginNames(em: EntityManager, user: User): Promise<void> {
  user.usernameSkeleton = confusableSkeleton(user.usernameCanonical);
  await em.nativeDelete(LoginName, { user: user.id });
  for (const name of new Set([loginNameKey(user.username), loginNameKey(user.email)])) {
    em.create(LoginName, { name, user });
  }
}

export interface NewUser {
  username: string;
  email: string;
  password: string;
  firstName?: string | null;
  lastName?: string | null;
}

/**
 * Hashes the (already validated) password while holding no connection, then inserts the user
 * and runs `then` in the same transaction. Uniqueness is the unique indexes' job: a concurrent
 * duplicate fails the INSERT and is reported as the same field error, never a 500.
 */
export async function createUser<T>(
  em: EntityManager,
  input: NewUser,
  options: {
    hasher: PasswordHasher;
    client?: string;
    isStaff?: boolean;
    isSuperuser?: boolean;
    lastLogin?: Date;
    emailVerified?: boolean;
  },
  then: (tx: EntityManager, user: User) => Promise<T>,
): Promise<T> {
  const passwordHash = await options.hasher.hash(input.password, options.client);
  return withIdentityConflicts(em, input, null, () =>
    em.transactional(async (tx) => {
      const user = tx.create(User, {
        username: input.username,
        usernameCanonical: canonicalUsername(input.username),
        email: input.email,
        emailCanonical: canonicalEmail(input.email),
        passwordHash,
        firstName: input.firstName ?? '',
        lastName: input.lastName ?? '',
        isStaff: options.isStaff ?? false,
        isSuperuser: options.isSuperuser ?? false,
        lastLogin: options.lastLogin ?? null,
        emailVerified: options.emailVerified ?? false,
      });
      await setLoginNames(tx, user);
      await tx.flush();
      return then(tx, user);
    }),
  );
}

export function encodeCursor(usernameCanonical: string): string {
  return Buffer.from(CURSOR_PREFIX + usernameCanonical, 'utf8').toString('base64url');
}

/** The canonical username a cursor points after, or a BAD_USER_INPUT for anything forged. */
export function decodeCursor(cursor: string): string {
  const invalid = badUserInput({ after: [messages.invalidCursor] });
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) throw invalid;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  // Round-trips only for text this server could have produced (valid UTF-8, canonical base64).
  if (Buffer.from(text, 'utf8').toString('base64url') !== cursor || !text.startsWith(CURSOR_PREFIX)) throw invalid;
  const key = text.slice(CURSOR_PREFIX.length);
  if (key.length === 0 || [...key].length > USERNAME_MAX_LENGTH * 3 || canonicalUsername(key) !== key) throw invalid;
  return key;
}

export interface UsersPage {
  users: User[];
  hasNextPage: boolean;
  countTotal: () => Promise<number>;
}

/** Users ordered by canonical username, `first` after the cursor, optionally by name prefix. */
export async function listUsers(
  em: EntityManager,
  options: { first: number; after?: string | null; search?: string | null },
): Promise<UsersPage> {
  if (!Number.isInteger(options.first) || options.first < 1 || options.first > USERS_PAGE_MAX) {
    throw badUserInput({ first: [messages.firstOutOfRange(USERS_PAGE_MAX)] });
  }
  const afterKey = options.after ? decodeCursor(options.after) : null;
  const prefix = options.search ? canonicalUsername(options.search) : '';
  const users = em.getRepository(User);
  const found = await users.findPage({ limit: options.first + 1, afterKey, prefix });
  return {
    users: found.slice(0, options.first),
    hasNextPage: found.length > options.first,
    countTotal: () => users.countByPrefix(prefix),
  };
}

export interface ProfileChanges {
  username?: string | null;
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
}

/** Applies the (validated) changes; null or absent fields stay as they are. */
export async function updateUserProfile(em: EntityManager, user: User, changes: ProfileChanges): Promise<User> {
  if (changes.username != null) {
    user.username = changes.username;
    user.usernameCanonical = canonicalUsername(changes.username);
  }
  if (changes.email != null) {
    user.email = changes.email;
    user.emailCanonical = canonicalEmail(changes.email);
  }
  if (changes.firstName != null) user.firstName = changes.firstName;
  if (changes.lastName != null) user.lastName = changes.lastName;
  const identity = {
    ...(changes.username != null ? { username: changes.username } : {}),
    ...(changes.email != null ? { email: changes.email } : {}),
  };
  await withIdentityConflicts(em, identity, user.id, () =>
    em.transactional(async (tx) => {
      if (identity.username !== undefined || identity.email !== undefined) await setLoginNames(tx, user);
    }),
  );
  return user;
}
