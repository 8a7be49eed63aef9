import { Field, ObjectType } from 'type-graphql';
import { UserView } from '../user/user.types';

@ObjectType({ simpleResolvers: true })
export class AuthPayload {
  @Field({ description: 'Opaque bearer token. Only its digest is stored; it is shown exactly once.' })
  token!: string;

  @Field()
  expiresAt!: Date;

  @Field(() => UserView)
  user!: UserView;

  @Field({ description: 'A signed JWT for the same session, short-lived (see JSON Web Tokens below).' })
  accessToken!: string;

  @Field()
  accessTokenExpiresAt!: Date;
}

@ObjectType({ simpleResolvers: true })
export class RegisterPayload {
  @Field(() => UserView)
  user!: UserView;

  @Field(() => String, {
    nullable: true,
    description: 'A session for the new user, or null where the account must be activated first.',
  })
  token!: string | null;

  @Field(() => Date, { nullable: true })
  expiresAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Null exactly when token is null.' })
  accessToken!: string | null;

  @Field(() => Date, { nullable: true })
  accessTokenExpiresAt!: Date | null;
}
