import { IsOptional, MaxLength, Validate, ValidatorConstraint, type ValidationArguments } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { messages } from '../../errors';
import { NAME_MAX_LENGTH, normalizeEmail, normalizeUsername } from '../../lib/identity';
import type { NormalizesItself } from '../../validation';
import {
  EmailAddress,
  EmailAvailable,
  IsAcceptablePassword,
  UsernameAvailable,
  UsernameCharacters,
  UsernameLength,
  UsernameSingleScript,
} from '../user/user.rules';

@ValidatorConstraint({ name: 'differsFromCurrentPassword' })
class DiffersFromCurrentPassword {
  validate(value: unknown, args: ValidationArguments): boolean {
    return value !== (args.object as ChangePasswordInput).currentPassword;
  }

  defaultMessage(): string {
    return messages.samePassword;
  }
}

/**
 * Its rules run in the service (account.service.ts), after the current password is checked, so
 * that a wrong current password and a weak new one are reported together.
 */
@InputType()
export class ChangePasswordInput {
  @Field()
  currentPassword!: string;

  @Field()
  @IsAcceptablePassword('viewer')
  @Validate(DiffersFromCurrentPassword)
  newPassword!: string;
}

/** Only these fields can change; anything else (isStaff, password, …) is rejected by GraphQL itself. */
@InputType()
export class UpdateProfileInput implements NormalizesItself {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @Validate(UsernameLength)
  @Validate(UsernameCharacters)
  @Validate(UsernameSingleScript)
  @Validate(UsernameAvailable)
  username?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Validate(EmailAddress)
  @Validate(EmailAvailable)
  email?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(NAME_MAX_LENGTH, { message: `Enter a first name of at most ${NAME_MAX_LENGTH} characters.` })
  firstName?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(NAME_MAX_LENGTH, { message: `Enter a last name of at most ${NAME_MAX_LENGTH} characters.` })
  lastName?: string | null;

  normalize(): void {
    if (this.username != null) this.username = normalizeUsername(this.username);
    if (this.email != null) this.email = normalizeEmail(this.email);
  }
}
