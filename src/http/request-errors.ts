import type { GraphQLError } from 'graphql';
import type { FieldErrors } from '../errors';

// Apollo's request errors are rewritten here for errors.ts's formatError. The two messages are
// part of the catalogue (errors.ts `messages` re-exports them).
export const requestErrorMessages = {
  required: 'This field is required.',
  unknownField: 'This field is not allowed.',
} as const;
const messages = requestErrorMessages;

// Apollo's own request errors keep their code. Their messages can quote the client's input
// (variable values: a password!) or suggest field names; both are rewritten below.
export const REQUEST_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'BAD_USER_INPUT',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'INTROSPECTION_DISABLED',
  'MAX_RECURSIVE_SELECTIONS_EXCEEDED',
]);

const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;

export function withoutSuggestions(message: string): string {
  return message.replace(/\s*Did you mean [\s\S]*$/, '');
}

/** Removes every literal value graphql-js quotes in a parse or validation message. */
export function withoutQuotedValues(message: string): string {
  return (
    message
      .replace(/, found [\s\S]*$/, '.')
      // A token is quoted raw, unescaped (`Unexpected String "pass"word".`): a quote or backslash in
      // the value ended the old quoted-string match early and leaked the rest. The token ends the
      // message, so everything from it on goes.
      .replace(/\b(String|BlockString|Name|Int|Float) "[\s\S]*$/, '$1.')
      // Lexer errors quote a slice of the literal (`Invalid Unicode escape sequence: "\u{DEADBEEF".`).
      .replace(/^(Syntax Error: (?:Invalid|Unexpected) [^:]*): [\s\S]*$/, '$1.')
      .replace(/(cannot represent[^:]*):[\s\S]*$/, '$1.')
      // Apollo quotes the client's operationName, control characters and all.
      .replace(/^Unknown operation named "[\s\S]*$/, 'Unknown operation name.')
  );
}

/**
 * graphql-js builds `Variable "$v" got invalid value <the value> at "v.path"; <reason>`, where the
 * value is the client's input, password included. Keep the variable name, the path and a
 * reason from a fixed list; drop the value.
 */
export function rewriteVariableError(error: GraphQLError): { message: string; fields: FieldErrors } {
  const variable = /^Variable "\$([_A-Za-z][_0-9A-Za-z]*)"/.exec(error.message)?.[1] ?? 'input';
  const reason = error.originalError?.message;
  if (!error.message.includes(' got invalid value ') || !reason) {
    // A required variable that is missing or null is an offending field too: name it, as the
    // contract promises for every BAD_USER_INPUT (it used to answer `fields: {}`).
    const missing = / of (?:required|non-null) type "[^"]+" (?:was not provided|must not be null)\.$/.test(
      error.message,
    );
    return {
      message: withoutQuotedValues(withoutSuggestions(error.message)),
      fields: missing ? { [variable]: [messages.required] } : {},
    };
  }
  const head = error.message.slice(0, error.message.length - reason.length - 2);
  const path = / at "([_A-Za-z][_0-9A-Za-z]*(?:\.[_A-Za-z][_0-9A-Za-z]*|\[\d+\])*)"$/.exec(head)?.[1];
  let field =
    path
      ?.split('.')
      .pop()
      ?.replace(/\[\d+\]$/, '') ?? 'nonFieldErrors';
  let problem: string;
  const required = /^Field "([^"]+)" of required type "[^"]+" was not provided\.$/.exec(reason);
  const unknown = /^Field "([^"]+)" is not defined by type "[^"]+"\./.exec(reason);
  const scalar = /^(\w+) cannot represent/.exec(reason);
  if (required && GRAPHQL_NAME.test(required[1])) [field, problem] = [required[1], messages.required];
  else if (unknown && GRAPHQL_NAME.test(unknown[1])) [field, problem] = [unknown[1], messages.unknownField];
  else if (scalar) problem = `Expected a value of type ${scalar[1]}.`;
  else if (/^Expected type "\w+" to be an object\.$/.test(reason)) problem = reason;
  else problem = 'Invalid value.';
  const where = path ? ` at "${path}"` : '';
  return {
    message: `Variable "$${variable}" has an invalid value${where}: ${problem}`,
    fields: { [field]: [problem] },
  };
}
