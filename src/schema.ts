import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { GraphQLDateTime } from 'graphql-scalars';
import { buildSchema, type AuthChecker } from 'type-graphql';
import type { Context } from './context';
import { forbidden } from './errors';
import { AccountResolver } from './modules/account/account.resolver';
import { AdminResolver } from './modules/admin/admin.resolver';
import { UserAccessResolver } from './modules/admin/user-access.resolver';
import { AuthResolver } from './modules/auth/auth.resolver';
import { GroupResolver } from './modules/permission/group.resolver';
import { PermissionResolver } from './modules/permission/permission.resolver';
import { UserAccessFieldsResolver } from './modules/permission/user-access.resolver';
import { MailResolver } from './modules/mail/mail.resolver';
import { UserResolver } from './modules/user/user.resolver';
import { validateArgument } from './validation';

/**
 * `@Authorized()` guards: a resolver runs only for a live session, and before its arguments are
 * validated, so a caller without one learns nothing from the rules (UNAUTHENTICATED first).
 * `@Authorized('users.change_user')` also needs that permission (any one of several listed, as
 * type-graphql's roles go): FORBIDDEN otherwise, again before any argument is looked at. The
 * viewer's permissions are loaded by the first such check of a request and reused by the others.
 */
export const authChecker: AuthChecker<Context> = async ({ context }, codenames) => {
  await context.requireViewer();
  if (codenames.length === 0) return true;
  const held = await context.permissions();
  if (codenames.some((codename) => held.has(codename))) return true;
  throw forbidden();
};

export function buildAppSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [
      AuthResolver,
      UserResolver,
      AccountResolver,
      AdminResolver,
      // Groups and permissions (issue 13).
      PermissionResolver,
      GroupResolver,
      UserAccessFieldsResolver,
      UserAccessResolver,
      // Mail flows (issue 14).
      MailResolver,
    ],
    // The contract's scalar is `DateTime` (type-graphql 2 would name it DateTimeISO).
    scalarsMap: [{ type: Date, scalar: GraphQLDateTime }],
    authChecker,
    // class-validator rules on the input classes, run with the request at hand (validation.ts).
    validateFn: validateArgument,
    emitSchemaFile: false,
  });
}

/** The committed schema.graphql: sorted, so that it diffs cleanly and only when the API changes. */
export function printAppSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
