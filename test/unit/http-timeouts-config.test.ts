import { ConfigError, loadConfig } from '../../src/config';

// The slow-client bounds: at most 60 s each, and the header bound within the request bound.

test('defaults: 30 s for a request, 10 s for its headers, 5 s of keep-alive', () => {
  expect(loadConfig({})).toMatchObject({
    httpRequestTimeoutSeconds: 30,
    httpHeadersTimeoutSeconds: 10,
    httpKeepAliveTimeoutSeconds: 5,
  });
});

test('each is read from the environment', () => {
  const config = loadConfig({
    HTTP_REQUEST_TIMEOUT_SECONDS: '60',
    HTTP_HEADERS_TIMEOUT_SECONDS: '60',
    HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: '1',
  });
  expect(config).toMatchObject({
    httpRequestTimeoutSeconds: 60,
    httpHeadersTimeoutSeconds: 60,
    httpKeepAliveTimeoutSeconds: 1,
  });
});

test('out of range, not a number, or headers longer than the request: every problem is named', () => {
  let error: unknown;
  try {
    loadConfig({
      HTTP_REQUEST_TIMEOUT_SECONDS: '61',
      HTTP_HEADERS_TIMEOUT_SECONDS: '0',
      HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: 'soon',
    });
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).problems).toEqual([
    expect.stringMatching(/^HTTP_REQUEST_TIMEOUT_SECONDS must be a whole number from 1 to 60/),
    expect.stringMatching(/^HTTP_HEADERS_TIMEOUT_SECONDS must be a whole number from 1 to 60/),
    expect.stringMatching(/^HTTP_KEEP_ALIVE_TIMEOUT_SECONDS must be a whole number from 1 to 60/),
  ]);
  expect(() => loadConfig({ HTTP_REQUEST_TIMEOUT_SECONDS: '5', HTTP_HEADERS_TIMEOUT_SECONDS: '6' })).toThrow(
    /HTTP_HEADERS_TIMEOUT_SECONDS must not exceed HTTP_REQUEST_TIMEOUT_SECONDS/,
  );
});
