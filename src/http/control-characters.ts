import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, visit, type DocumentNode, type ValueNode } from 'graphql';
import type { Context } from '../context';
import { addFieldError, badUserInput, messages, type FieldErrors } from '../errors';

// NUL and the other C0 control characters are refused at the boundary, before any resolver or SQL
// runs. PostgreSQL text cannot hold NUL at all (a statement carrying one fails, or on embedded
// PGlite breaks the protocol), and none of them belongs in a name, an email, a search, an id or a
// cursor. Tab, line feed and carriage return are let through: a password may hold them ("kept
// exactly as typed"), and each field's own rules already reject whitespace where it has no place.

/** U+0000–U+001F except tab (9), line feed (10) and carriage return (13). */
export function hasControlCharacter(value: string): boolean {
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) return true;
  }
  return false;
}

// A key that is not a GraphQL name is the client's own text: it is never echoed as a field name.
// Nor is a reserved `__` name (`__proto__` would be the field map's prototype).
const FIELD_NAME = /^(?!__)[_A-Za-z][_0-9A-Za-z]{0,63}$/;
const fieldName = (key: string) => (FIELD_NAME.test(key) ? key : 'nonFieldErrors');

function flag(fields: FieldErrors, field: string): void {
  if (!fields[field]?.includes(messages.controlCharacter)) addFieldError(fields, field, messages.controlCharacter);
}

/**
 * The variables as sent (JSON), named by the innermost object key, or the variable's own name.
 * Walked with an explicit stack: a 100 kB body can nest tens of thousands of levels deep.
 */
function checkVariables(variables: Record<string, unknown>, fields: FieldErrors): void {
  const pending: [unknown, string][] = Object.entries(variables).map(([key, value]) => [value, fieldName(key)]);
  while (pending.length > 0) {
    const [value, field] = pending.pop()!;
    if (typeof value === 'string') {
      if (hasControlCharacter(value)) flag(fields, field);
    } else if (Array.isArray(value)) {
      for (const item of value) pending.push([item, field]);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) pending.push([item, fieldName(key)]);
    }
  }
}

/** String literals in arguments and variable defaults (`"a\u0000"` is a valid GraphQL string). */
function checkDocument(document: DocumentNode, fields: FieldErrors): void {
  const check = (root: ValueNode, name: string) => {
    const pending: [ValueNode, string][] = [[root, name]];
    while (pending.length > 0) {
      const [value, field] = pending.pop()!;
      if (value.kind === Kind.STRING) {
        if (hasControlCharacter(value.value)) flag(fields, field);
      } else if (value.kind === Kind.LIST) {
        for (const item of value.values) pending.push([item, field]);
      } else if (value.kind === Kind.OBJECT) {
        for (const item of value.fields) pending.push([item.value, fieldName(item.name.value)]);
      }
    }
  };
  visit(document, {
    Argument: (node) => check(node.value, fieldName(node.name.value)),
    VariableDefinition: (node) => {
      if (node.defaultValue) check(node.defaultValue, fieldName(node.variable.name.value));
    },
  });
}

// Apollo keeps each parsed document and hands the same object to every request sending that query
// text, so a document is searched once, not on every request.
const documentVerdicts = new WeakMap<DocumentNode, boolean>();

function documentHasControlCharacter(document: DocumentNode): boolean {
  let verdict = documentVerdicts.get(document);
  if (verdict === undefined) {
    const fields: FieldErrors = {};
    checkDocument(document, fields);
    verdict = Object.keys(fields).length > 0;
    documentVerdicts.set(document, verdict);
  }
  return verdict;
}

/**
 * Answers HTTP 400 BAD_USER_INPUT, naming each offending field, when any string the operation
 * receives holds a control character. Runs once the operation is parsed and validated, before
 * execution (and so before variable coercion, resolvers and the database).
 */
export const rejectControlCharacters: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ request, document, response }) {
        const fields: FieldErrors = {};
        if (request.variables) checkVariables(request.variables, fields);
        if (documentHasControlCharacter(document)) checkDocument(document, fields);
        if (Object.keys(fields).length === 0) return;
        // Apollo answers an error thrown here with 500 unless a status is already set.
        response.http.status = 400;
        throw badUserInput(fields);
      },
    };
  },
};
