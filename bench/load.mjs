// One load step: autocannon (programmatic API) at a FIXED number of connections, each sending its
// next request as soon as the previous answer arrives (closed loop, no rate limit: autocannon's
// rate mode sends once-a-second bursts, which would distort latency). Latencies are collected
// from every response in full precision (autocannon's own histogram keeps whole milliseconds).
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';

/** Percentile (0–100) of an ascending array, nearest-rank. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function median(values) {
  const present = values.filter((value) => typeof value === 'number' && Number.isFinite(value));
  if (present.length === 0) return null;
  const sorted = [...present].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Runs autocannon against a GraphQL endpoint.
 * - body: a fixed request body (object, serialised once), or
 * - nextBody(): a function returning a fresh body object for every request (setupRequest hook).
 * A response counts as failed when its status is not 2xx or its JSON has `errors`.
 */
export async function runLoad({ url, connections, duration, token = null, body, nextBody, timeout = 30 }) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Token ${token}`;
  const request = { method: 'POST', path: new URL(url).pathname, headers };
  if (nextBody) {
    request.setupRequest = (req) => ({ ...req, body: JSON.stringify(nextBody()) });
  } else {
    request.body = JSON.stringify(body);
  }
  let firstMismatch = null;
  let firstError = null;
  const latencies = [];
  const started = performance.now();
  const instance = autocannon({
    url,
    connections,
    duration,
    timeout,
    pipelining: 1,
    requests: [request],
    verifyBody: (text) => !text.includes('"errors"'),
  });
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
  });
  instance.on('reqMismatch', (text) => {
    firstMismatch ??= String(text).slice(0, 500);
  });
  instance.on('reqError', (error) => {
    firstError ??= String(error?.message ?? error);
  });
  const result = await instance;
  const elapsedS = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const completed = result.requests.total ?? latencies.length;
  // A non-2xx answer usually carries `errors` too: count such a response once.
  const failed = result.errors + Math.max(result.non2xx, result.mismatches);
  return {
    connections,
    durationS: result.duration,
    completed,
    // completed responses over the measured window (autocannon stops on a whole-second tick)
    rps: completed / (result.duration || elapsedS),
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? null,
    mean: latencies.length ? latencies.reduce((sum, value) => sum + value, 0) / latencies.length : null,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    mismatches: result.mismatches,
    failed,
    problem:
      completed === 0
        ? 'no request completed'
        : failed > 0
          ? `${failed} of ${completed + result.errors} requests failed (transport errors ${result.errors}, timeouts ${result.timeouts}, non-2xx ${result.non2xx}, bodies with GraphQL errors ${result.mismatches})` +
            (firstMismatch ? `; first GraphQL error body: ${firstMismatch}` : '') +
            (firstError ? `; first transport error: ${firstError}` : '')
          : null,
  };
}
