import { unwrapResolverError } from '@apollo/server/errors';
import { ConnectionException, DriverException } from '@mikro-orm/core';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import { HashQueueFullError } from './lib/password-hash';
import { permissionMessages } from './modules/permission/permission.messages';
import type { Logger } from './logger';
import {
  REQUEST_ERROR_CODES,
  requestErrorMessages,
  rewriteVariableError,
  withoutQuotedValues,
  withoutSuggestions,
} from './http/request-errors';
import { fieldErrorsOf } from './validation';

// The one catalogue of what a client can be told. Anything that is not an AppError or one of
// Apollo's request errors is masked at the single boundary below (formatError).

export enum ErrorCode {
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  TOO_MANY_REQUESTS = 'TOO_MANY_REQUESTS',
  SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE',
  EMAIL_NOT_VERIFIED = 'EMAIL_NOT_VERIFIED',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
}

export const messages = {
  invalidInput: 'The input is invalid.',
  noCredentials: 'Authentication credentials were not provided.',
  invalidToken: 'Invalid or expired token.',
  invalidCredentials: 'Unable to log in with provided credentials.',
  forbidden: 'You do not have permission to perform this action.',
  internal: 'Internal server error.',
  serviceUnavailable: 'The service is temporarily unavailable. Please retry shortly.',
  required: requestErrorMessages.required,
  unknownField: requestErrorMessages.unknownField,
  controlCharacter: 'Control characters such as NUL are not allowed here (tab and line breaks are).',
  usernameTaken: 'A user with that username already exists.',
  emailTaken: 'A user with that email address already exists.',
  passwordMismatch: "The two password fields didn't match.",
  invalidCursor: 'Invalid cursor.',
  wrongCurrentPassword: 'Your current password is incorrect.',
  wrongPassword: 'The password is incorrect.',
  samePassword: 'The new password must be different from the current one.',
  userNotFound: 'There is no user with this id.',
  cannotDeactivateSelf: 'You cannot deactivate your own account.',
  cannotDeleteSelf: 'You cannot delete your own account this way; use deleteAccount.',
  superuserRequired: 'Only a superuser can do this to a staff account.',
  firstOutOfRange: (max: number) => `Enter a number from 1 to ${max}.`,
  tooManyRequests: (seconds: number) => `Too many attempts. Try again in ${seconds} second${seconds === 1 ? '' : 's'}.`,
  busy: 'The server is busy. Try again in a moment.',
  oneSensitiveOperation:
    'Send at most one of login, register, changePassword, deleteAccount and resetPassword per request.',
  emailNotVerified: 'Confirm your email address first: follow the link we mailed to it.',
  invalidMailToken: 'This link is invalid or has expired, or was already used.',
  mailNotConfigured: 'Mail is not configured on this server, so this operation is unavailable.',
  // Groups and permissions: their own part of the catalogue, kept beside them.
  ...permissionMessages,
} as const;

/** Input field name -> human-readable problems; "nonFieldErrors" for the rest. */
export type FieldErrors = Record<string, string[]>;

export class AppError extends GraphQLError {
  constructor(
    readonly code: ErrorCode,
    message: string,
    extensions: Record<string, unknown> = {},
  ) {
    super(message, { extensions: { code, ...extensions } });
    this.name = 'AppError';
  }
}

export function badUserInput(fields: FieldErrors, message: string = messages.invalidInput): AppError {
  return new AppError(ErrorCode.BAD_USER_INPUT, message, { fields });
}

/** Why a request is UNAUTHENTICATED, so a client can branch without comparing messages. */
export enum UnauthenticatedReason {
  /** No Authorization header: the user is not signed in. */
  NO_CREDENTIALS = 'NO_CREDENTIALS',
  /** A token that is malformed, unknown, expired or revoked: the session is over. */
  INVALID_TOKEN = 'INVALID_TOKEN',
  /** A failed login: wrong name or password, or an inactive account (indistinguishable). */
  INVALID_CREDENTIALS = 'INVALID_CREDENTIALS',
}

const UNAUTHENTICATED_MESSAGES: Record<UnauthenticatedReason, string> = {
  NO_CREDENTIALS: messages.noCredentials,
  INVALID_TOKEN: messages.invalidToken,
  INVALID_CREDENTIALS: messages.invalidCredentials,
};

export function unauthenticated(reason: UnauthenticatedReason): AppError {
  return new AppError(ErrorCode.UNAUTHENTICATED, UNAUTHENTICATED_MESSAGES[reason], { reason });
}

export function forbidden(message: string = messages.forbidden): AppError {
  return new AppError(ErrorCode.FORBIDDEN, message);
}

/** Collects field problems so that every one of them is reported at once. */
export function addFieldError(fields: FieldErrors, field: string, ...problems: string[]): void {
  if (problems.length > 0) (fields[field] ??= []).push(...problems);
}

// The database is down, unreachable, overloaded or too slow: the client may retry later.
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  '57014', // statement_timeout fired
  '57P01', // admin shutdown
  '57P02', // crash shutdown
  '57P03', // cannot connect now (starting up)
  '53300', // too many connections
  '55P03', // lock not available
]);
const UNAVAILABLE_MESSAGES =
  /Query read timeout|Connection terminated|Connection ended|timeout exceeded when trying to connect/i;

function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof ConnectionException) return true;
  const { name, code, message } = (error ?? {}) as { name?: string; code?: string; message?: string };
  return (
    name === 'KnexTimeoutError' ||
    (code !== undefined && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) ||
    UNAVAILABLE_MESSAGES.test(message ?? '')
  );
}

// A statement as the driver reports it: knex writes `<the SQL with its values filled in> - <reason>`.
const SQL_STATEMENT =
  /^\s*(select|insert|update|delete|with|set|begin|commit|rollback|savepoint|release|deallocate|create|alter|drop|truncate|lock|values)\b/i;

/** PostgreSQL's fields that name a failure without quoting a value (unlike message and detail). */
const DATABASE_FIELDS = ['code', 'severity', 'routine', 'constraint', 'table', 'column'] as const;

function isDatabaseError(error: Error): boolean {
  const { code, severity } = error as { code?: unknown; severity?: unknown };
  return (
    error instanceof DriverException ||
    (typeof severity === 'string' && typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) ||
    SQL_STATEMENT.test(error.message)
  );
}

/** A message with every quoted part masked and a trailing `: <value>` dropped. */
function maskedReason(message: string): string {
  return message
    .split('\n')[0]
    .replace(/"[^"]*"?|'[^']*'?|`[^`]*`?/g, '…')
    .replace(/: \S*$/, '')
    .slice(0, 200);
}

/**
 * What an error may put in the logs: never a submitted value or a statement's parameters. They
 * reach error messages in several ways: the driver writes the SQL with its values filled in (a
 * password hash, an email, a token digest), PostgreSQL's reasons and details quote the offending
 * value (`invalid input syntax for type uuid: "…"`), JSON and type errors quote their input. So a
 * database error is logged by its SQLSTATE code and routine only, any other error by its type, its
 * message with quoted parts masked, and its stack frames without the message line.
 */
export function loggableError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error };
  if (isDatabaseError(error)) {
    const loggable: Record<string, unknown> = { type: error.name };
    for (const field of DATABASE_FIELDS) {
      const value = (error as unknown as Record<string, unknown>)[field];
      if (typeof value === 'string' && /^[\w.-]{1,64}$/.test(value)) loggable[field] = value;
    }
    return loggable;
  }
  const { code } = error as { code?: unknown };
  const frames = (error.stack ?? '')
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .slice(0, 12)
    .map((line) => line.trim());
  return {
    type: error.name,
    ...(typeof code === 'string' && /^[\w.-]{1,64}$/.test(code) ? { code } : {}),
    reason: maskedReason(error.message),
    frames,
  };
}

export function createFormatError(logger: Logger, options: { production: boolean }) {
  return function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
    const original = unwrapResolverError(error);
    const base = { locations: formatted.locations, path: formatted.path };

    if (original instanceof AppError) {
      return { ...base, message: original.message, extensions: { ...original.extensions } };
    }
    if (original instanceof ArgumentValidationError) {
      // The input classes' rules (validation.ts): every broken rule, by field, never a value.
      const fields = fieldErrorsOf(original.extensions.validationErrors);
      return { ...base, message: messages.invalidInput, extensions: { code: ErrorCode.BAD_USER_INPUT, fields } };
    }
    if (original instanceof HashQueueFullError) {
      return { ...base, message: messages.busy, extensions: { code: ErrorCode.TOO_MANY_REQUESTS, retryAfter: 1 } };
    }
    if (isDatabaseUnavailable(original)) {
      logger.warn({ err: loggableError(original) }, 'database unavailable');
      return { ...base, message: messages.serviceUnavailable, extensions: { code: ErrorCode.SERVICE_UNAVAILABLE } };
    }
    const code = formatted.extensions?.code;
    const fromRequest = original instanceof GraphQLError && !formatted.path;
    if (fromRequest && typeof code === 'string' && REQUEST_ERROR_CODES.has(code)) {
      if (code === 'BAD_USER_INPUT') {
        const { message, fields } = rewriteVariableError(original);
        return { ...base, message, extensions: { code, fields } };
      }
      let message = withoutQuotedValues(formatted.message);
      if (options.production) message = withoutSuggestions(message);
      return { ...base, message, extensions: { code } };
    }
    // Apollo marks a few client faults only by a 4xx status, without a code: a persisted-query
    // hash that does not match its query, an unknown persisted-query version.
    const status = original instanceof GraphQLError ? (original.extensions.http as { status?: unknown })?.status : null;
    if (
      fromRequest &&
      original.extensions.code === undefined &&
      typeof status === 'number' &&
      status >= 400 &&
      status < 500
    ) {
      return { ...base, message: withoutQuotedValues(formatted.message), extensions: { code: 'BAD_REQUEST' } };
    }
    logger.error({ err: loggableError(original) }, 'unexpected error');
    return { ...base, message: messages.internal, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
  };
}
