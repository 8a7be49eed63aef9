import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { GraphQLDateTime } from 'graphql-scalars';
import { buildSchema, type AuthChecker } from 'type-graphql';
import type { Context } from './context';
import { AccountResolver } from './modules/account/account.resolver';
import { AdminResolver } from './modules/admin/admin.resolver';
import { AuthResolver } from './modules/auth/auth.resolver';
import { MailResolver } from './modules/mail/mail.resolver';
import { UserResolver } from './modules/user/user.resolver';
import { validateArgument } from './validation';

/**
 * `@Authorized()` guards: a resolver runs only for a live session, and before its arguments are
 * validated, so a caller without one learns nothing from the rules (UNAUTHENTICATED first).
 */
export const authChecker: AuthChecker<Context> = async ({ context }) => {
  await context.requireViewer();
  return true;
};

export function buildAppSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [AuthResolver, UserResolver, AccountResolver, AdminResolver, MailResolver],
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
