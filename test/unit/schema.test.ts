import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildSchema as parseSchema,
  isEnumType,
  isInputObjectType,
  isObjectType,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLSchema,
} from 'graphql';
import { buildAppSchema, printAppSchema } from '../../src/schema';
import { BUILT_CONTRACT } from '../support/contract-built';

const root = join(__dirname, '..', '..');

test('schema.graphql is what the code generates (run `npm run schema` after changing the API)', async () => {
  const generated = printAppSchema(await buildAppSchema());
  expect(readFileSync(join(root, 'schema.graphql'), 'utf8')).toBe(generated);
});

// The public contract lives beside the project (../shared) wherever CI runs it.
const contractPath = join(root, '..', 'shared', 'api-contract.graphql');
const hasContract = existsSync(contractPath);

/** `name(args):type` of one field, or of every field of a type, as the schema declares them. */
function signatures(schema: GraphQLSchema, entry: string): string[] {
  const [typeName, fieldName] = entry.split('.');
  const type = schema.getType(typeName);
  if (!type) return [`missing type ${typeName}`];
  if (isEnumType(type)) return type.getValues().map((value) => `${typeName}.${value.name}`);
  if (!isObjectType(type) && !isInputObjectType(type)) return [`${typeName}: ${type.constructor.name}`];
  const fields: Record<string, GraphQLField<unknown, unknown> | GraphQLInputField> = type.getFields();
  const names = fieldName ? [fieldName] : Object.keys(fields);
  return names.map((name) => {
    const field = fields[name];
    if (!field) return `missing field ${typeName}.${name}`;
    const args = 'args' in field ? field.args.map((arg) => `${arg.name}:${arg.type}=${arg.defaultValue}`) : [];
    return `${typeName}.${name}(${args.sort().join(',')}):${field.type}`;
  });
}

(hasContract ? describe : describe.skip)('schema.graphql holds the contract for what is built', () => {
  const contract = hasContract ? parseSchema(readFileSync(contractPath, 'utf8')) : null;
  const ours = parseSchema(readFileSync(join(root, 'schema.graphql'), 'utf8'));

  test.each(BUILT_CONTRACT)('%s', (entry) => {
    const wanted = signatures(contract!, entry);
    expect(wanted.filter((line) => line.startsWith('missing'))).toEqual([]);
    // Whole types: every contract field is here with the same type and arguments (ours may have more).
    expect(signatures(ours, entry)).toEqual(expect.arrayContaining(wanted));
  });
});
