import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { MetricsConfig } from '../config-metrics';
import { watchSources, type MetricsSources } from './metrics-sources';

// Prometheus metrics on a registry of this app's own (never prom-client's global one), so tests
// can run several apps in one process. Everything that is a state (queue depth, pool use, cache
// counters) is read from its owner when scraped; the request path does one histogram observe.

/** How a login attempt ended, as an operator sees it (a client cannot tell most of these apart). */
export type LoginOutcome =
  'success' | 'invalid_credentials' | 'inactive' | 'email_not_verified' | 'throttled' | 'busy' | 'error';

const LOGIN_OUTCOMES: readonly LoginOutcome[] = [
  'success',
  'invalid_credentials',
  'inactive',
  'email_not_verified',
  'throttled',
  'busy',
  'error',
];

/** The throttles that refuse (auth.throttle.ts, mail.throttle.ts), listed so each series starts at 0. */
export const THROTTLE_KINDS = [
  'login_delay',
  'confirm_delay',
  'login_account',
  'login_ip',
  'login_queue',
  'register_ip',
  'probe_account',
  'probe_ip',
  'reset_ip',
  'reset_address',
  'verify_resend',
] as const;

/** Label values no GraphQL operation name can take (names are [_A-Za-z][_0-9A-Za-z]*). */
export const UNNAMED_OPERATION = '(unnamed)';
export const OTHER_OPERATION = '(other)';

/** What the app's parts report. Always present: a no-op when metrics are off. */
export interface MetricsRecorder {
  loginOutcome(outcome: LoginOutcome): void;
  throttleRefused(throttle: string): void;
}

export const noMetrics: MetricsRecorder = {
  loginOutcome: () => undefined,
  throttleRefused: () => undefined,
};

export interface Metrics extends MetricsRecorder {
  readonly registry: Registry;
  /** One GraphQL request ended (the access log's moment): its operation, duration, and whether it failed. */
  observeOperation(operationName: string | null | undefined, seconds: number, failed: boolean): void;
  /** The scrape-time sources, once the app has built them. */
  watch(sources: MetricsSources): void;
}

type Observer = { observe(seconds: number): void };

export function createMetrics(config: MetricsConfig): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const durations = new Histogram({
    name: 'authapi_graphql_request_duration_seconds',
    help: 'GraphQL requests by operation name and outcome (ok: no errors), from request to response end.',
    labelNames: ['operation', 'outcome'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const logins = new Counter({
    name: 'authapi_login_attempts_total',
    help: 'login mutations by outcome.',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const refusals = new Counter({
    name: 'authapi_throttle_refusals_total',
    help: 'Requests refused by a throttle, by throttle.',
    labelNames: ['throttle'],
    registers: [registry],
  });
  for (const outcome of LOGIN_OUTCOMES) logins.labels(outcome).inc(0);
  for (const throttle of THROTTLE_KINDS) refusals.labels(throttle).inc(0);

  // Operation name -> its two pre-bound series. Bounded: a list (METRICS_OPERATIONS), or the first
  // METRICS_OPERATIONS_MAX names seen; any other name shares OTHER_OPERATION, so clients choosing
  // names cannot grow the series without end.
  const series = new Map<string, { ok: Observer; error: Observer }>();
  const bind = (operation: string) => {
    const bound = { ok: durations.labels(operation, 'ok'), error: durations.labels(operation, 'error') };
    series.set(operation, bound);
    return bound;
  };
  const other = bind(OTHER_OPERATION);
  bind(UNNAMED_OPERATION);
  for (const name of config.operationNames ?? []) bind(name);
  const named = () => series.size - 2;
  const admit = (operationName: string) =>
    config.operationNames === null && named() < config.operationNamesMax ? bind(operationName) : other;

  return {
    registry,
    observeOperation(operationName, seconds, failed) {
      const name = operationName || UNNAMED_OPERATION;
      const bound = series.get(name) ?? admit(name);
      (failed ? bound.error : bound.ok).observe(seconds);
    },
    loginOutcome: (outcome) => logins.labels(outcome).inc(),
    throttleRefused: (throttle) => refusals.labels(throttle).inc(),
    watch: (sources) => watchSources(registry, sources),
  };
}
