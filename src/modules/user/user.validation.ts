import { addFieldError, messages, type FieldErrors } from '../../errors';
import { emailProblems, nameProblems, usernameProblems } from '../../lib/identity';
import { checkPasswordPolicy, type PasswordPolicy } from '../../lib/password-policy';

export interface NewUserFields {
  username: string;
  email: string;
  password: string;
  passwordConfirm?: string | null;
  firstName?: string | null;
  lastName?: string | null;
}

/** Every problem with a registration that can be told without the database, all at once. */
export function newUserProblems(input: NewUserFields, policy: PasswordPolicy): FieldErrors {
  const fields: FieldErrors = {};
  addFieldError(fields, 'username', ...usernameProblems(input.username));
  addFieldError(fields, 'email', ...emailProblems(input.email));
  addFieldError(fields, 'firstName', ...nameProblems(input.firstName ?? '', 'first name'));
  addFieldError(fields, 'lastName', ...nameProblems(input.lastName ?? '', 'last name'));
  addFieldError(fields, 'password', ...checkPasswordPolicy(input.password, policy, input));
  if (
    input.passwordConfirm !== undefined &&
    input.passwordConfirm !== null &&
    input.passwordConfirm !== input.password
  ) {
    addFieldError(fields, 'passwordConfirm', messages.passwordMismatch);
  }
  return fields;
}

export interface ProfileChanges {
  username?: string | null;
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
}

/** The same rules as registration, for the fields being changed (null or absent = unchanged). */
export function profileChangeProblems(changes: ProfileChanges): FieldErrors {
  const fields: FieldErrors = {};
  if (changes.username != null) addFieldError(fields, 'username', ...usernameProblems(changes.username));
  if (changes.email != null) addFieldError(fields, 'email', ...emailProblems(changes.email));
  if (changes.firstName != null) addFieldError(fields, 'firstName', ...nameProblems(changes.firstName, 'first name'));
  if (changes.lastName != null) addFieldError(fields, 'lastName', ...nameProblems(changes.lastName, 'last name'));
  return fields;
}
