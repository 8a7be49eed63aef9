import {
  registerDecorator,
  ValidatorConstraint,
  type ValidationArguments,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { messages } from '../../errors';
import { isSingleScript } from '../../lib/confusables';
import {
  emailProblems,
  hasOnlyUsernameCharacters,
  hasUsernameLength,
  usernameMessages,
  usernameProblems,
} from '../../lib/identity';
import { checkPasswordPolicy, passwordMessages, type PasswordUserAttributes } from '../../lib/password-policy';
import { requestOf } from '../../validation';
import { findTakenIdentity } from './user.service';

// The account rules as class-validator constraints. The rules themselves are pure functions in
// lib/ (identity, password-policy); these classes bind them to input fields and to the request.

@ValidatorConstraint({ name: 'usernameLength' })
export class UsernameLength implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && hasUsernameLength(value);
  }

  defaultMessage(): string {
    return usernameMessages.length;
  }
}

@ValidatorConstraint({ name: 'usernameCharacters' })
export class UsernameCharacters implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && hasOnlyUsernameCharacters(value);
  }

  defaultMessage(): string {
    return usernameMessages.characters;
  }
}

/** `pаypal` with a Cyrillic а is refused; `иванов`, all Cyrillic, is welcome (TR39, highly restrictive). */
@ValidatorConstraint({ name: 'usernameSingleScript' })
export class UsernameSingleScript implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && isSingleScript(value);
  }

  defaultMessage(): string {
    return usernameMessages.mixedScripts;
  }
}

@ValidatorConstraint({ name: 'emailAddress' })
export class EmailAddress implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && emailProblems(value).length === 0;
  }

  defaultMessage(args: ValidationArguments): string {
    return typeof args.value === 'string' ? (emailProblems(args.value)[0] ?? '') : 'Enter a valid email address.';
  }
}

/**
 * "Is this username (email) free?": not another account's login name (username or address,
 * folded alike, so no login name can reach two accounts) nor, for a username, a look-alike of
 * theirs. A name that breaks the shape rules is not looked up. The caller's own account never
 * counts as taken, so re-submitting one's own email in another case succeeds.
 */
function isAvailable(field: 'username' | 'email') {
  return async (value: unknown, args: ValidationArguments): Promise<boolean> => {
    if (typeof value !== 'string') return true;
    if (field === 'username' ? usernameProblems(value).length > 0 : emailProblems(value).length > 0) return true;
    const request = requestOf(args.object);
    const viewer = await request.viewer();
    const taken = await findTakenIdentity(request.em, { [field]: value }, viewer?.user.id ?? null);
    return !taken[field];
  };
}

@ValidatorConstraint({ name: 'usernameAvailable', async: true })
export class UsernameAvailable implements ValidatorConstraintInterface {
  validate = isAvailable('username');
  defaultMessage = () => messages.usernameTaken;
}

@ValidatorConstraint({ name: 'emailAvailable', async: true })
export class EmailAvailable implements ValidatorConstraintInterface {
  validate = isAvailable('email');
  defaultMessage = () => messages.emailTaken;
}

/** Where the password's similarity rule finds the user's own words. */
export type PasswordOwner = 'input' | 'viewer' | 'attached';

const attachedOwners = new WeakMap<object, PasswordUserAttributes>();

/** For 'attached': an input whose account only its service knows (resetPassword: the token's). */
export function attachPasswordOwner(input: object, owner: PasswordUserAttributes): void {
  attachedOwners.set(input, owner);
}

async function ownerAttributes(args: ValidationArguments, owner: PasswordOwner): Promise<PasswordUserAttributes> {
  if (owner === 'input') return args.object as PasswordUserAttributes;
  if (owner === 'attached') return attachedOwners.get(args.object) ?? {};
  return (await requestOf(args.object).viewer())?.user ?? {};
}

// The policy is checked once per input field and its result shared by the constraints below;
// WeakMaps keyed by the input object, so nothing outlives the request.
const pending = new WeakMap<object, Map<string, Promise<string[]>>>();
const settled = new WeakMap<object, Map<string, string[]>>();

function passwordProblems(args: ValidationArguments, owner: PasswordOwner): Promise<string[]> {
  let byField = pending.get(args.object);
  if (!byField) pending.set(args.object, (byField = new Map()));
  let problems = byField.get(args.property);
  if (!problems) {
    const { config } = requestOf(args.object);
    const policy = { minLength: config.passwordMinLength, maxLength: config.passwordMaxLength };
    problems = ownerAttributes(args, owner).then((attributes) => {
      const found = checkPasswordPolicy(args.value as string, policy, attributes);
      if (!settled.has(args.object)) settled.set(args.object, new Map());
      settled.get(args.object)!.set(args.property, found);
      return found;
    });
    byField.set(args.property, problems);
  }
  return problems;
}

const PASSWORD_PROBLEM_KINDS: [string, (message: string) => boolean][] = [
  ['passwordWellFormed', (message) => message === passwordMessages.notWellFormed],
  ['passwordMaxLength', (message) => message.startsWith('This password is too long')],
  ['passwordMinLength', (message) => message.startsWith('This password is too short')],
  ['passwordCommon', (message) => message === passwordMessages.tooCommon],
  ['passwordNumeric', (message) => message === passwordMessages.entirelyNumeric],
  ...(['username', 'email address', 'first name', 'last name'] as const).map(
    (label): [string, (message: string) => boolean] => [
      `passwordSimilarTo${label.replace(/ (\w)/, (_, letter: string) => letter.toUpperCase()).replace(/^./, (c) => c.toUpperCase())}`,
      (message) => message === passwordMessages.tooSimilar(label),
    ],
  ),
];

/**
 * The password policy (lib/password-policy.ts: Django's validators plus a maximum length), one
 * constraint per kind of problem, so that each problem is its own message in `fields`.
 */
export function IsAcceptablePassword(owner: PasswordOwner): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    for (const [name, isKind] of PASSWORD_PROBLEM_KINDS) {
      registerDecorator({
        name,
        target: target.constructor,
        propertyName: propertyName as string,
        async: true,
        validator: {
          async validate(value: unknown, args: ValidationArguments) {
            if (typeof value !== 'string') return true;
            return !(await passwordProblems(args, owner)).some(isKind);
          },
          // Called only after validate() has settled, so the result is there to quote.
          defaultMessage(args: ValidationArguments) {
            return settled.get(args.object)?.get(args.property)?.find(isKind) ?? messages.invalidInput;
          },
        },
      });
    }
  };
}

/** passwordConfirm, when given, repeats password. */
@ValidatorConstraint({ name: 'passwordConfirmation' })
export class MatchesPassword implements ValidatorConstraintInterface {
  validate(value: unknown, args: ValidationArguments): boolean {
    return value === (args.object as { password?: unknown }).password;
  }

  defaultMessage(): string {
    return messages.passwordMismatch;
  }
}
