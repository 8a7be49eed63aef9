import { randomUUID } from 'node:crypto';
import {
  Collection,
  Entity,
  EntityRepositoryType,
  ManyToMany,
  OptionalProps,
  PrimaryKey,
  Property,
} from '@mikro-orm/core';
import { Group } from '../permission/group.entity';
import { Permission } from '../permission/permission.entity';
import { UserRepository } from './user.repository';

/**
 * An account. `usernameCanonical` and `emailCanonical` carry the unique indexes: "unique ignoring
 * case" is a database rule, not a check that races. Their "C" collation keeps byte order on every
 * server and locale, so keyset pages are stable and a prefix search is an index range scan.
 */
@Entity({ tableName: 'users', repository: () => UserRepository })
export class User {
  [EntityRepositoryType]?: UserRepository;
  [OptionalProps]?:
    | 'usernameSkeleton'
    | 'firstName'
    | 'lastName'
    | 'isActive'
    | 'isStaff'
    | 'isSuperuser'
    | 'dateJoined'
    | 'lastLogin'
    | 'emailVerified';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'string', length: 30 })
  username!: string;

  @Property({ type: 'text', columnType: 'text collate "C"', unique: 'users_username_canonical_key' })
  usernameCanonical!: string;

  /** TR39 confusable skeleton of the username (lib/confusables.ts): no two users look alike. */
  @Property({ type: 'text', columnType: 'text collate "C"', nullable: true, unique: 'users_username_skeleton_key' })
  usernameSkeleton: string | null = null;

  @Property({ type: 'string', length: 254 })
  email!: string;

  @Property({ type: 'text', columnType: 'text collate "C"', unique: 'users_email_canonical_key' })
  emailCanonical!: string;

  /** bcrypt's 60 characters exactly: a longer value (a hash with junk appended) cannot be stored. */
  @Property({ type: 'string', length: 60, hidden: true, lazy: true })
  passwordHash!: string;

  @Property({ type: 'string', length: 150, default: '' })
  firstName: string = '';

  @Property({ type: 'string', length: 150, default: '' })
  lastName: string = '';

  @Property({ type: 'boolean', default: true })
  isActive: boolean = true;

  @Property({ type: 'boolean', default: false })
  isStaff: boolean = false;

  @Property({ type: 'boolean', default: false })
  isSuperuser: boolean = false;

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  dateJoined: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  lastLogin: Date | null = null;

  /** The groups the user belongs to (the Staff group exactly when isStaff). */
  @ManyToMany({ entity: () => Group, owner: true, inversedBy: 'users', pivotTable: 'users_groups' })
  groups = new Collection<Group>(this);

  /** The permissions held directly, as Django's user_permissions (not those through groups). */
  @ManyToMany({ entity: () => Permission, owner: true, inversedBy: 'users', pivotTable: 'users_permissions' })
  userPermissions = new Collection<Permission>(this);
  /** The address was confirmed through a link mailed to it (issue 14); a changed address is not. */
  @Property({ type: 'boolean', default: false })
  emailVerified: boolean = false;
}
