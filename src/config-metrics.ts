import type { EnvReader } from './lib/env-reader';

// The metrics part of loadConfig (config.ts), split out for length. It reads the environment only
// through config.ts's reader, so config.ts stays its one reader.
//
// Off unless METRICS_PORT or METRICS_TOKEN is set, and never public by accident: its own listener
// (bound to 127.0.0.1 unless METRICS_HOST says otherwise), or the main port with a bearer token.

export interface MetricsConfig {
  /** METRICS_PORT: served on a listener of its own; null = on the main port at /metrics. */
  port: number | null;
  /** METRICS_HOST: the own listener's address. */
  host: string;
  /** METRICS_TOKEN: the bearer token a scrape must present (on either listener); null = none. */
  token: string | null;
  /** METRICS_OPERATIONS: the only operation names given their own label; null = the first ones seen. */
  operationNames: string[] | null;
  /** METRICS_OPERATIONS_MAX: without a list, at most this many names get their own label. */
  operationNamesMax: number;
}

export const METRICS_TOKEN_MIN_LENGTH = 32;
const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;
// RFC 6750's token68: what an Authorization: Bearer header can carry as it is.
const BEARER_TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

function tokenOf(reader: EnvReader): string | null {
  const token = reader.secret('METRICS_TOKEN');
  if (token === undefined) return null;
  // Never echoed: the problem names the variable and the rule only.
  if (token.length < METRICS_TOKEN_MIN_LENGTH || !BEARER_TOKEN.test(token)) {
    reader.problems.push(
      `METRICS_TOKEN must be at least ${METRICS_TOKEN_MIN_LENGTH} characters of A-Z a-z 0-9 - . _ ~ + / (e.g. \`openssl rand -hex 32\`)`,
    );
  }
  return token;
}

function operationNamesOf(reader: EnvReader): string[] | null {
  const raw = reader.raw('METRICS_OPERATIONS');
  if (raw === undefined) return null;
  const names = raw
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const invalid = names.filter((name) => !GRAPHQL_NAME.test(name));
  if (invalid.length > 0 || names.length === 0) {
    reader.problems.push(`METRICS_OPERATIONS must list GraphQL operation names, like Me,Login (got "${raw}")`);
  }
  return names;
}

/** null when metrics are off; `mainPort` is PORT, which the own listener must not take. */
export function parseMetricsConfig(reader: EnvReader, mainPort: number): MetricsConfig | null {
  const port = reader.raw('METRICS_PORT') === undefined ? null : reader.integer('METRICS_PORT', 0, 0, 65535);
  const token = tokenOf(reader);
  const host = reader.string('METRICS_HOST', '127.0.0.1');
  const operationNames = operationNamesOf(reader);
  const operationNamesMax = reader.integer('METRICS_OPERATIONS_MAX', 100, 1, 10_000);
  if (port === null && token === null) {
    const stray = ['METRICS_HOST', 'METRICS_OPERATIONS', 'METRICS_OPERATIONS_MAX'].filter(
      (name) => reader.raw(name) !== undefined,
    );
    if (stray.length > 0) {
      reader.problems.push(`${stray.join(', ')} set, but metrics are off: set METRICS_PORT or METRICS_TOKEN`);
    }
    return null;
  }
  if (port === null && reader.raw('METRICS_HOST') !== undefined) {
    reader.problems.push('METRICS_HOST needs METRICS_PORT: without it /metrics is served on the main port');
  }
  if (port !== null && port !== 0 && port === mainPort) {
    reader.problems.push('METRICS_PORT must differ from PORT (leave METRICS_PORT unset to serve on the main port)');
  }
  return { port, host, token, operationNames, operationNamesMax };
}
