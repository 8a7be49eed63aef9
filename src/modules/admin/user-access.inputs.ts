import { ArrayMaxSize, IsOptional } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { MAX_GRANTS_PER_REQUEST } from '../permission/permission.inputs';

const tooMany = { message: `Name at most ${MAX_GRANTS_PER_REQUEST} values.` };

@InputType()
export class UserAccessInput {
  @Field(() => ID)
  userId!: string;

  @Field(() => [ID], { nullable: true, description: "When given, replaces the user's groups." })
  @IsOptional()
  @ArrayMaxSize(MAX_GRANTS_PER_REQUEST, tooMany)
  groupIds?: string[] | null;

  @Field(() => [String], {
    nullable: true,
    description: 'When given, replaces the permissions the user holds directly.',
  })
  @IsOptional()
  @ArrayMaxSize(MAX_GRANTS_PER_REQUEST, tooMany)
  permissions?: string[] | null;

  @Field(() => Boolean, { nullable: true, description: 'Superusers only.' })
  isStaff?: boolean | null;
}
