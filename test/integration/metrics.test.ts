import type { AddressInfo } from 'node:net';
import { LOGIN } from '../support/documents';
import { registerUser } from '../support/factories';
import { errorCode, graphql } from '../support/graphql';
import { withTestApp, type TestApp } from '../support/test-app';

// GET /metrics through the real app and HTTP: off by default, behind a bearer token on the main
// port, or on a listener of its own; the counters move with real requests.

const TOKEN = 'metrics-test-token-0123456789abcdefghijklmnop';
const ME_NAMED = 'query Me { me { id } }';

/** Every metric this app defines (README, Metrics). */
const METRIC_NAMES = [
  'authapi_graphql_request_duration_seconds',
  'authapi_login_attempts_total',
  'authapi_throttle_refusals_total',
  'authapi_password_hash_running',
  'authapi_password_hash_queue_depth',
  'authapi_password_hash_rejections_total',
  'authapi_session_cache_hits_total',
  'authapi_session_cache_misses_total',
  'authapi_session_cache_evictions_total',
  'authapi_session_cache_entries',
  'authapi_db_pool_connections_used',
  'authapi_db_pool_connections_free',
  'authapi_db_pool_pending_acquires',
  'authapi_db_pool_pending_creates',
  'authapi_db_pool_connections_max',
  // Node's default metrics, a few of them.
  'process_cpu_user_seconds_total',
  'nodejs_heap_size_used_bytes',
  'nodejs_eventloop_lag_seconds',
];

function endpoint(t: TestApp, path: string): string {
  return new URL(path, t.url).toString();
}

/** The value of the sample `name` whose labels include `labels`; undefined when there is none. */
function sample(exposition: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of exposition.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

async function scrape(url: string, token: string | null = TOKEN): Promise<string> {
  const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return response.text();
}

test('off by default: /metrics answers 404 like any unknown path', async () => {
  await withTestApp({}, async (t) => {
    expect(t.app.config.metrics).toBeNull();
    expect(t.app.metricsServer).toBeNull();
    const metrics = await fetch(endpoint(t, '/metrics'), { headers: { authorization: `Bearer ${TOKEN}` } });
    const unknown = await fetch(endpoint(t, '/no-such-path'));
    expect(metrics.status).toBe(404);
    expect(await metrics.text()).toBe(await unknown.text());
  });
});

test('METRICS_TOKEN: only the right bearer token gets the exposition, and the counters move', async () => {
  const env = { METRICS_TOKEN: TOKEN, SESSION_CACHE_SECONDS: '30', LOGIN_DELAY_AFTER_FAILURES: '1' };
  await withTestApp({ ...env, LOGIN_DELAY_BASE_SECONDS: '600' }, async (t) => {
    const url = endpoint(t, '/metrics');
    const wrongToken = TOKEN.slice(0, -1) + (TOKEN.endsWith('p') ? 'q' : 'p');
    for (const authorization of [undefined, `Bearer ${wrongToken}`, `Bearer ${TOKEN}x`, `Token ${TOKEN}`, TOKEN]) {
      const refused = await fetch(url, { headers: authorization ? { authorization } : {} });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
      const body = await refused.text();
      expect(JSON.parse(body).errors[0].extensions.code).toBe('UNAUTHENTICATED');
      expect(body).not.toContain('# HELP');
    }
    expect((await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(405);

    const before = await scrape(url);
    for (const name of METRIC_NAMES) expect(before).toContain(`# TYPE ${name} `);
    expect(sample(before, 'authapi_login_attempts_total', { outcome: 'invalid_credentials' })).toBe(0);
    expect(sample(before, 'authapi_throttle_refusals_total', { throttle: 'login_delay' })).toBe(0);
    expect(sample(before, 'authapi_password_hash_queue_depth')).toBe(0);
    expect(sample(before, 'authapi_db_pool_connections_max')).toBe(
      Number(t.app.config.database.kind === 'postgres' ? t.app.config.database.poolMax : 1),
    );

    const user = await registerUser(t.url);
    for (let round = 0; round < 2; round++) {
      const me = await graphql(t.url, ME_NAMED, {}, { token: user.token });
      expect(me.data?.me.id).toBe(user.id);
    }
    const wrong = { input: { username: user.username, password: `${user.password}-wrong` } };
    expect(errorCode(await graphql(t.url, LOGIN, wrong))).toBe('UNAUTHENTICATED');
    // LOGIN_DELAY_AFTER_FAILURES=1: the next attempt on this account from here waits.
    expect(errorCode(await graphql(t.url, LOGIN, wrong))).toBe('TOO_MANY_REQUESTS');
    const inactive = await registerUser(t.url);
    await t.sql('update users set is_active = false where id = ?', [inactive.id]);
    const right = { input: { username: inactive.username, password: inactive.password } };
    expect(errorCode(await graphql(t.url, LOGIN, right))).toBe('UNAUTHENTICATED');

    const after = await scrape(url);
    const operation = (name: string, outcome: string) =>
      sample(after, 'authapi_graphql_request_duration_seconds_count', { operation: name, outcome });
    expect(operation('Me', 'ok')).toBe(2);
    expect(operation('Login', 'error')).toBe(3);
    expect(sample(after, 'authapi_login_attempts_total', { outcome: 'invalid_credentials' })).toBe(1);
    expect(sample(after, 'authapi_login_attempts_total', { outcome: 'throttled' })).toBe(1);
    expect(sample(after, 'authapi_login_attempts_total', { outcome: 'inactive' })).toBe(1);
    expect(sample(after, 'authapi_login_attempts_total', { outcome: 'success' })).toBe(0);
    expect(sample(after, 'authapi_throttle_refusals_total', { throttle: 'login_delay' })).toBe(1);
    // The first `me` looked the token up in the database and cached it; the second was served from memory.
    expect(sample(after, 'authapi_session_cache_misses_total')).toBe(1);
    expect(sample(after, 'authapi_session_cache_hits_total')).toBe(1);
    expect(sample(after, 'authapi_session_cache_entries')).toBe(1);
    expect(after).toMatch(
      /^authapi_graphql_request_duration_seconds_bucket\{le="0.001",operation="Me",outcome="ok"\} /m,
    );
  });
});

test('operation labels are bounded: unnamed operations share one, names past the cap share "(other)"', async () => {
  await withTestApp({ METRICS_TOKEN: TOKEN, METRICS_OPERATIONS_MAX: '2' }, async (t) => {
    for (const query of [
      'query A { __typename }',
      'query B { __typename }',
      'query C { __typename }',
      '{ __typename }',
    ]) {
      expect((await graphql(t.url, query)).errors).toBeUndefined();
    }
    expect(errorCode(await graphql(t.url, 'query D { nope }'))).toBe('GRAPHQL_VALIDATION_FAILED');
    const exposition = await scrape(endpoint(t, '/metrics'));
    const count = (operation: string, outcome = 'ok') =>
      sample(exposition, 'authapi_graphql_request_duration_seconds_count', { operation, outcome });
    expect([count('A'), count('B'), count('C'), count('(other)'), count('(unnamed)')]).toEqual([1, 1, undefined, 1, 1]);
    // A document that fails validation has no operation yet: it is counted unnamed, as an error.
    expect(count('(unnamed)', 'error')).toBe(1);
  });
});

test('METRICS_PORT: served on its own listener (127.0.0.1 by default), never on the main port', async () => {
  await withTestApp({ METRICS_PORT: '0' }, async (t) => {
    const address = t.app.metricsServer!.address() as AddressInfo;
    expect(address.address).toBe('127.0.0.1');
    expect((await fetch(endpoint(t, '/metrics'))).status).toBe(404);
    await graphql(t.url, ME_NAMED);
    const own = `http://127.0.0.1:${address.port}`;
    const exposition = await scrape(`${own}/metrics`, null);
    for (const name of METRIC_NAMES) expect(exposition).toContain(`# TYPE ${name} `);
    expect(sample(exposition, 'authapi_graphql_request_duration_seconds_count', { operation: 'Me' })).toBe(1);
    expect((await fetch(`${own}/graphql`)).status).toBe(404);
  });
});
