import { ArrayMaxSize, Length, Validate, ValidatorConstraint } from 'class-validator';
import type { ValidatorConstraintInterface } from 'class-validator';
import { ArgsType, Field, InputType } from 'type-graphql';
import { messages } from '../../errors';
import { GROUP_NAME_MAX_LENGTH, isCodename, normalizeName, PERMISSION_NAME_MAX_LENGTH } from '../../lib/access-names';
import type { NormalizesItself } from '../../validation';

// The shape of each value is checked here; whether the permissions and groups named exist (and
// whether a name is free) is the services' answer, inside the transaction that writes.

/** More than any real group or user needs, few enough to keep one request's work bounded. */
export const MAX_GRANTS_PER_REQUEST = 500;

@ValidatorConstraint({ name: 'codename' })
export class CodenameFormat implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && isCodename(value);
  }

  defaultMessage(): string {
    return messages.codenameFormat;
  }
}

@ArgsType()
export class CreatePermissionArgs implements NormalizesItself {
  @Field()
  @Validate(CodenameFormat)
  codename!: string;

  @Field()
  @Length(1, PERMISSION_NAME_MAX_LENGTH, { message: messages.permissionName })
  name!: string;

  normalize(): void {
    this.name = normalizeName(this.name);
  }
}

@InputType()
export class GroupInput implements NormalizesItself {
  @Field()
  @Length(1, GROUP_NAME_MAX_LENGTH, { message: messages.groupName })
  name!: string;

  @Field(() => [String], { description: 'Codenames; each must exist.' })
  @ArrayMaxSize(MAX_GRANTS_PER_REQUEST, { message: `Name at most ${MAX_GRANTS_PER_REQUEST} permissions.` })
  permissions!: string[];

  normalize(): void {
    this.name = normalizeName(this.name);
  }
}
