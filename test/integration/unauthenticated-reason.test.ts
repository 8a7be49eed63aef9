import { UnauthenticatedReason } from '../../src/errors';
import { LOGIN, LOGOUT, ME } from '../support/documents';
import { registerUser } from '../support/factories';
import { errorCode, graphql, type GraphQLResult } from '../support/graphql';
import { startTestApp, type TestApp } from '../support/test-app';

// One code, three meanings: a client branches on extensions.reason, not on the message.
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  await t.reset();
});
afterAll(() => t.close());

const reasonOf = (result: GraphQLResult) => result.errors?.[0]?.extensions.reason;

test('no Authorization header: NO_CREDENTIALS', async () => {
  const result = await graphql(t.url, ME);
  expect(errorCode(result)).toBe('UNAUTHENTICATED');
  expect(reasonOf(result)).toBe(UnauthenticatedReason.NO_CREDENTIALS);
});

test('a malformed, unknown or revoked token: INVALID_TOKEN', async () => {
  const user = await registerUser(t.url);
  await graphql(t.url, LOGOUT, {}, { token: user.token });
  for (const token of [user.token, 'x'.repeat(43), 'not a token']) {
    const result = await graphql(t.url, ME, {}, { token });
    expect(errorCode(result)).toBe('UNAUTHENTICATED');
    expect(reasonOf(result)).toBe(UnauthenticatedReason.INVALID_TOKEN);
  }
});

test('a failed login, even with a stale token in the header: INVALID_CREDENTIALS', async () => {
  const user = await registerUser(t.url);
  const result = await graphql(
    t.url,
    LOGIN,
    { input: { username: user.username, password: 'Wrong-Password-Entirely' } },
    { token: 'x'.repeat(43) },
  );
  expect(errorCode(result)).toBe('UNAUTHENTICATED');
  expect(reasonOf(result)).toBe(UnauthenticatedReason.INVALID_CREDENTIALS);
});
