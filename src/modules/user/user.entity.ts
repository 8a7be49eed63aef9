import { randomUUID } from 'node:crypto';
import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * An account. `usernameCanonical` and `emailCanonical` carry the unique indexes (see the
 * migration): they make "unique ignoring case" a database rule, not a check that races.
 */
@Entity({ tableName: 'users' })
export class User {
  [OptionalProps]?: 'firstName' | 'lastName' | 'isActive' | 'isStaff' | 'isSuperuser' | 'dateJoined' | 'lastLogin';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ length: 30 })
  username!: string;

  @Property({ columnType: 'text collate "C"', unique: 'users_username_canonical_key' })
  usernameCanonical!: string;

  @Property({ length: 254 })
  email!: string;

  @Property({ columnType: 'text collate "C"', unique: 'users_email_canonical_key' })
  emailCanonical!: string;

  @Property({ length: 60, hidden: true, lazy: true })
  passwordHash!: string;

  @Property({ length: 150 })
  firstName: string = '';

  @Property({ length: 150 })
  lastName: string = '';

  @Property()
  isActive: boolean = true;

  @Property()
  isStaff: boolean = false;

  @Property()
  isSuperuser: boolean = false;

  @Property({ columnType: 'timestamptz' })
  dateJoined: Date = new Date();

  @Property({ columnType: 'timestamptz', nullable: true })
  lastLogin: Date | null = null;
}

/** The columns every GraphQL `User` is built from, whether loaded by the ORM or by raw SQL. */
export interface UserRecord {
  id: string;
  username: string;
  email: string;
  firstName: string;
  lastName: string;
  isActive: boolean;
  isStaff: boolean;
  isSuperuser: boolean;
  dateJoined: Date;
  lastLogin: Date | null;
}
