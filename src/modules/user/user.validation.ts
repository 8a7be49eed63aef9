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
