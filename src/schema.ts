import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { GraphQLDateTime } from 'graphql-scalars';
import { buildSchema } from 'type-graphql';
import { AccountResolver } from './modules/account/account.resolver';
import { AdminResolver } from './modules/admin/admin.resolver';
import { AuthResolver } from './modules/auth/auth.resolver';
import { UserResolver } from './modules/user/user.resolver';

export function buildAppSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [AuthResolver, UserResolver, AccountResolver, AdminResolver],
    // The contract's scalar is `DateTime` (type-graphql 2 would name it DateTimeISO).
    scalarsMap: [{ type: Date, scalar: GraphQLDateTime }],
    // class-validator errors would otherwise carry the input object and value: the password.
    validate: { forbidUnknownValues: false, validationError: { target: false, value: false } },
    emitSchemaFile: false,
  });
}

/** The committed schema.graphql: sorted, so that it diffs cleanly and only when the API changes. */
export function printAppSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
