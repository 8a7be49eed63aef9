import { ConfigError } from '../../src/config';
import { LOGIN } from '../support/documents';
import { graphql } from '../support/graphql';
import { startTestApp, testConfig } from '../support/test-app';

// Issue 16, item 7: the container convention. SUPERUSER_USERNAME, _EMAIL and _PASSWORD create the
// first superuser at start while there is none; a restart never changes an account.
const FIRST = {
  SUPERUSER_USERNAME: 'rootadmin',
  SUPERUSER_EMAIL: 'root@example.com',
  SUPERUSER_PASSWORD: 'Granite-Harbor-Lantern-7',
};

test('created at the first start, left alone at the next', async () => {
  const empty = await startTestApp();
  await empty.reset();
  await empty.close();

  const first = await startTestApp(FIRST);
  try {
    const login = await graphql(first.url, LOGIN, {
      input: { username: 'rootadmin', password: FIRST.SUPERUSER_PASSWORD },
    });
    expect(login.errors).toBeUndefined();
    const [row] = await first.sql('select is_staff, is_superuser, is_active from users where username = ?', [
      'rootadmin',
    ]);
    expect(row).toEqual({ is_staff: true, is_superuser: true, is_active: true });
  } finally {
    await first.close();
  }

  // Another password and name in the environment now: nothing is created or changed.
  const again = await startTestApp({
    ...FIRST,
    SUPERUSER_USERNAME: 'second',
    SUPERUSER_PASSWORD: 'Other-Granite-Harbor-8',
  });
  try {
    expect(await again.sql('select username from users where is_superuser')).toEqual([{ username: 'rootadmin' }]);
    const login = await graphql(again.url, LOGIN, {
      input: { username: 'rootadmin', password: FIRST.SUPERUSER_PASSWORD },
    });
    expect(login.errors).toBeUndefined();
  } finally {
    await again.reset();
    await again.close();
  }
});

test('the three variables go together, and the password is never echoed', () => {
  let problem: unknown;
  try {
    testConfig({ SUPERUSER_USERNAME: 'rootadmin', SUPERUSER_PASSWORD: 'Secret-Kept-Out-Of-Logs' });
  } catch (error) {
    problem = error;
  }
  expect(problem).toBeInstanceOf(ConfigError);
  expect((problem as ConfigError).message).toContain('SUPERUSER_USERNAME, SUPERUSER_EMAIL, SUPERUSER_PASSWORD');
  expect((problem as ConfigError).message).not.toContain('Secret-Kept-Out-Of-Logs');
});
