import { loadConfig } from '../../src/config';
import { problemsOf } from '../support/config-problems';
import { METRICS_TOKEN_MIN_LENGTH } from '../../src/config-metrics';

const TOKEN = 'a'.repeat(METRICS_TOKEN_MIN_LENGTH);

test('off unless METRICS_PORT or METRICS_TOKEN is set', () => {
  expect(loadConfig({}).metrics).toBeNull();
});

test('METRICS_TOKEN: served on the main port behind the token', () => {
  expect(loadConfig({ METRICS_TOKEN: TOKEN }).metrics).toEqual({
    port: null,
    host: '127.0.0.1',
    token: TOKEN,
    operationNames: null,
    operationNamesMax: 100,
  });
});

test('METRICS_PORT: its own listener, on 127.0.0.1 unless METRICS_HOST says otherwise, token optional', () => {
  expect(loadConfig({ METRICS_PORT: '9464' }).metrics).toMatchObject({ port: 9464, host: '127.0.0.1', token: null });
  expect(loadConfig({ METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0', METRICS_TOKEN: TOKEN }).metrics).toMatchObject({
    port: 9464,
    host: '0.0.0.0',
    token: TOKEN,
  });
});

test('operation names: a list, or a cap on the first ones seen', () => {
  expect(loadConfig({ METRICS_TOKEN: TOKEN, METRICS_OPERATIONS: 'Me, Login,_x1' }).metrics).toMatchObject({
    operationNames: ['Me', 'Login', '_x1'],
  });
  expect(loadConfig({ METRICS_TOKEN: TOKEN, METRICS_OPERATIONS_MAX: '20' }).metrics?.operationNamesMax).toBe(20);
});

test('a short or unsendable token is refused, and never echoed', () => {
  for (const token of ['a'.repeat(METRICS_TOKEN_MIN_LENGTH - 1), `${'a'.repeat(40)} b`, `${'a'.repeat(40)}"`]) {
    const problems = problemsOf({ METRICS_TOKEN: token });
    expect(problems).toEqual([expect.stringMatching(/^METRICS_TOKEN must be at least 32 characters/)]);
    expect(problems.join()).not.toContain('aaaa');
  }
});

test('each bad variable is named', () => {
  expect(problemsOf({ METRICS_PORT: 'x' })).toEqual([expect.stringMatching(/^METRICS_PORT must be a whole number/)]);
  expect(problemsOf({ METRICS_PORT: '4000' })).toEqual([expect.stringMatching(/^METRICS_PORT must differ from PORT/)]);
  expect(problemsOf({ PORT: '8080', METRICS_PORT: '8080' })).toHaveLength(1);
  expect(problemsOf({ METRICS_TOKEN: TOKEN, METRICS_HOST: '0.0.0.0' })).toEqual([
    expect.stringMatching(/^METRICS_HOST needs METRICS_PORT/),
  ]);
  expect(problemsOf({ METRICS_TOKEN: TOKEN, METRICS_OPERATIONS: 'Me,not-a-name' })).toEqual([
    expect.stringMatching(/^METRICS_OPERATIONS must list GraphQL operation names/),
  ]);
  expect(problemsOf({ METRICS_TOKEN: TOKEN, METRICS_OPERATIONS_MAX: '0' })).toEqual([
    expect.stringMatching(/^METRICS_OPERATIONS_MAX must be a whole number/),
  ]);
});

test('METRICS_* set while metrics are off is a mistake worth stopping for', () => {
  expect(problemsOf({ METRICS_HOST: '0.0.0.0', METRICS_OPERATIONS: 'Me' })).toEqual([
    'METRICS_HOST, METRICS_OPERATIONS set, but metrics are off: set METRICS_PORT or METRICS_TOKEN',
  ]);
});

test('every problem at once', () => {
  expect(problemsOf({ METRICS_PORT: '4000', METRICS_TOKEN: 'short', METRICS_OPERATIONS: '1x' })).toHaveLength(3);
});
