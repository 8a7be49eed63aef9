import { Field, ID, ObjectType } from 'type-graphql';

/** A session as its owner sees it: never the token, nor its digest. */
@ObjectType('Session', { simpleResolvers: true })
export class SessionView {
  @Field(() => ID)
  id!: string;

  @Field()
  createdAt!: Date;

  @Field()
  expiresAt!: Date;

  @Field(() => Date, { nullable: true })
  lastUsedAt!: Date | null;

  @Field(() => String, { nullable: true })
  userAgent!: string | null;

  @Field({ description: 'True for the session whose token made this request.' })
  current!: boolean;
}
