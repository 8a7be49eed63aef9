import { Field, InputType } from 'type-graphql';
import { IsAcceptablePassword } from '../user/user.rules';

/**
 * Its rules run in the service (mail.service.ts resetPassword), once the token has told whose
 * password this is: the policy compares it with that account's own words.
 */
@InputType()
export class ResetPasswordInput {
  @Field()
  token!: string;

  @Field()
  @IsAcceptablePassword('attached')
  newPassword!: string;
}
