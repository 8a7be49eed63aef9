import { Field, InputType } from 'type-graphql';

// Rules live in the services (they must report every problem at once, with the database's
// uniqueness answers among them); these classes carry the contract's shape and documentation.

@InputType()
export class RegisterInput {
  @Field({ description: '3 to 30 characters: letters, digits and @ . + - _ ; unique ignoring case.' })
  username!: string;

  @Field({ description: 'A valid address, unique ignoring case.' })
  email!: string;

  @Field({
    description:
      'At least PASSWORD_MIN_LENGTH (default 12) characters; not common, not all digits, not too like the username or email; never truncated.',
  })
  password!: string;

  @Field(() => String, { nullable: true, description: 'When given, must equal password.' })
  passwordConfirm?: string | null;

  @Field(() => String, { nullable: true })
  firstName?: string | null;

  @Field(() => String, { nullable: true })
  lastName?: string | null;
}

@InputType()
export class LoginInput {
  @Field({ description: 'A username or an email address.' })
  username!: string;

  @Field()
  password!: string;
}
