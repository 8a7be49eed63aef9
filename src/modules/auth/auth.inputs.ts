import { IsOptional, MaxLength, Validate } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { NAME_MAX_LENGTH, normalizeEmail, normalizeUsername } from '../../lib/identity';
import type { NormalizesItself } from '../../validation';
import {
  EmailAddress,
  EmailAvailable,
  IsAcceptablePassword,
  MatchesPassword,
  UsernameAvailable,
  UsernameCharacters,
  UsernameLength,
  UsernameSingleScript,
} from '../user/user.rules';

// Every rule is checked and every problem reported at once, under the field's name, with the
// database's "already taken" answers among them (validation.ts runs them; user.rules.ts has them).

@InputType()
export class RegisterInput implements NormalizesItself {
  @Field({ description: '3 to 30 characters: letters, digits and @ . + - _ ; unique ignoring case.' })
  @Validate(UsernameLength)
  @Validate(UsernameCharacters)
  @Validate(UsernameSingleScript)
  @Validate(UsernameAvailable)
  username!: string;

  @Field({ description: 'A valid address, unique ignoring case.' })
  @Validate(EmailAddress)
  @Validate(EmailAvailable)
  email!: string;

  @Field({
    description:
      'At least PASSWORD_MIN_LENGTH (default 12) characters; not common, not all digits, not too like the username or email; never truncated.',
  })
  @IsAcceptablePassword('input')
  password!: string;

  @Field(() => String, { nullable: true, description: 'When given, must equal password.' })
  @IsOptional()
  @Validate(MatchesPassword)
  passwordConfirm?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(NAME_MAX_LENGTH, { message: `Enter a first name of at most ${NAME_MAX_LENGTH} characters.` })
  firstName?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(NAME_MAX_LENGTH, { message: `Enter a last name of at most ${NAME_MAX_LENGTH} characters.` })
  lastName?: string | null;

  normalize(): void {
    this.username = normalizeUsername(this.username);
    this.email = normalizeEmail(this.email);
  }
}

/** No rules here: every failed login looks the same, whatever was wrong with it. */
@InputType()
export class LoginInput {
  @Field({ description: 'A username or an email address.' })
  username!: string;

  @Field()
  password!: string;
}
