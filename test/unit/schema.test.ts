import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema as parseSchema, isInputObjectType, isObjectType, type GraphQLArgument } from 'graphql';
import { buildAppSchema, printAppSchema } from '../../src/schema';

const root = join(__dirname, '..', '..');

test('schema.graphql is what the code generates (run `npm run schema` after changing the API)', async () => {
  const generated = printAppSchema(await buildAppSchema());
  expect(readFileSync(join(root, 'schema.graphql'), 'utf8')).toBe(generated);
});

// The public contract lives beside the project (../shared) wherever CI runs it.
const contractPath = join(root, '..', 'shared', 'api-contract.graphql');
const built = ['User', 'AuthPayload', 'RegisterPayload', 'PageInfo', 'UserConnection', 'RegisterInput', 'LoginInput'];
const operations = { Query: ['me', 'user', 'users'], Mutation: ['register', 'login', 'logout', 'logoutAll'] };

(existsSync(contractPath) ? test : test.skip)('schema.graphql matches the contract for what is built', () => {
  const contract = parseSchema(readFileSync(contractPath, 'utf8'));
  const ours = parseSchema(readFileSync(join(root, 'schema.graphql'), 'utf8'));
  const signature = (schema: typeof ours, typeName: string, fieldNames?: string[]) => {
    const type = schema.getType(typeName);
    if (!type || !(isObjectType(type) || isInputObjectType(type))) return null;
    return Object.values(type.getFields())
      .filter((field) => !fieldNames || fieldNames.includes(field.name))
      .map((field) => {
        const args =
          'args' in field
            ? field.args.map((arg: GraphQLArgument) => `${arg.name}:${arg.type}=${arg.defaultValue}`)
            : [];
        return `${field.name}(${args.sort().join(',')}):${field.type}`;
      })
      .sort();
  };
  for (const typeName of built) expect(signature(ours, typeName)).toEqual(signature(contract, typeName));
  for (const [typeName, fields] of Object.entries(operations)) {
    expect(signature(ours, typeName, fields)).toEqual(signature(contract, typeName, fields));
  }
});
