import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../config';
import { badUserInput } from '../../errors';
import type { PasswordHasher } from '../../lib/password-hash';
import { fieldErrorsOf, validateInput } from '../../validation';
import { RegisterInput } from '../auth/auth.inputs';
import { User } from '../user/user.entity';
import { createUser } from '../user/user.service';

export interface SuperuserFields {
  username: string;
  email: string;
  password: string;
  firstName?: string | null;
  lastName?: string | null;
}

/**
 * An active staff superuser, under registration's rules (declared on RegisterInput): every
 * problem is one BAD_USER_INPUT with `fields`, as the API would answer.
 */
export async function createSuperuser(
  em: EntityManager,
  fields: SuperuserFields,
  services: { config: Config; hasher: PasswordHasher },
): Promise<User> {
  const input = Object.assign(new RegisterInput(), fields);
  const problems = fieldErrorsOf(await validateInput(input, { config: services.config, em, viewer: async () => null }));
  if (Object.keys(problems).length > 0) throw badUserInput(problems);
  return createUser(
    em,
    input,
    // The operator vouches for the address: EMAIL_VERIFICATION=required must not lock them out.
    { hasher: services.hasher, isStaff: true, isSuperuser: true, emailVerified: true },
    async (_tx, created) => created,
  );
}

/**
 * The container convention (SUPERUSER_USERNAME, _EMAIL, _PASSWORD): the first superuser, made at
 * start only while there is none. Idempotent, and it never changes an existing account: when
 * any superuser exists, nothing happens; a name that is taken fails like a registration would.
 */
export async function ensureFirstSuperuser(
  em: EntityManager,
  services: { config: Config; hasher: PasswordHasher },
): Promise<User | null> {
  const wanted = services.config.firstSuperuser;
  if (!wanted || (await em.count(User, { isSuperuser: true })) > 0) return null;
  return createSuperuser(em, wanted, services);
}
