import { CombinedGraphQLErrors, ServerError } from '@apollo/client';

/** `extensions.fields` of a BAD_USER_INPUT error: input field name → its messages. */
export type FieldErrors = Record<string, string[]>;

/**
 * The API reports every invalid input field at once, as
 * `errors[0].extensions = { code: 'BAD_USER_INPUT', fields: { email: ['Enter a valid email address.'] } }`.
 * Problems that belong to no single field come under `nonFieldErrors`.
 */
export function fieldErrorsOf(error: unknown): FieldErrors {
  if (!CombinedGraphQLErrors.is(error)) return {};
  const fields: FieldErrors = {};
  for (const e of error.errors) {
    if (e.extensions?.code !== 'BAD_USER_INPUT') continue;
    const reported = e.extensions.fields;
    if (!reported || typeof reported !== 'object') continue;
    for (const [name, messages] of Object.entries(reported as Record<string, unknown>)) {
      if (Array.isArray(messages)) fields[name] = [...(fields[name] ?? []), ...messages.map(String)];
    }
  }
  return fields;
}

/**
 * `extensions.code`, and for UNAUTHENTICATED `extensions.reason`: NO_CREDENTIALS, INVALID_TOKEN
 * (expired, revoked or unknown: sign in again) or INVALID_CREDENTIALS (a failed login).
 */
export function errorCodeOf(error: unknown): { code?: string; reason?: string } {
  if (!CombinedGraphQLErrors.is(error)) return {};
  const extensions = error.errors[0]?.extensions ?? {};
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return { code: text(extensions.code), reason: text(extensions.reason) };
}

/** One line for the user. Field errors are shown beside their inputs, so they are left out here. */
export function errorMessageOf(error: unknown): string | null {
  if (!error) return null;
  if (CombinedGraphQLErrors.is(error)) {
    const first = error.errors[0];
    if (first?.extensions?.code === 'BAD_USER_INPUT' && first.extensions.fields) return null;
    return first?.message ?? 'The request failed.';
  }
  if (ServerError.is(error)) return `The API answered HTTP ${error.statusCode}.`;
  // A TypeError from fetch: the API is down, or the browser blocked the answer (CORS).
  return `Cannot reach the API (${error instanceof Error ? error.message : String(error)}). Is it running, and does its CORS_ORIGINS list ${window.location.origin}?`;
}
