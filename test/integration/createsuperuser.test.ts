import { runCreateSuperuser } from '../../src/cli/createsuperuser';
import { passwordMessages } from '../../src/lib/password-policy';
import { messages } from '../../src/errors';
import { fakeCliIO, withApp } from '../support/cli';
import { LOGIN } from '../support/documents';
import { graphql } from '../support/graphql';
import type { TestApp } from '../support/test-app';

// The app runs only around the checks, never while the CLI runs (see support/cli.ts).

const login = (t: TestApp, username: string, password: string) =>
  graphql(t.url, LOGIN, { input: { username, password } });

beforeAll(() => withApp((t) => t.reset()));

test('creates an active staff superuser from --password', async () => {
  const { io, output } = fakeCliIO();
  const code = await runCreateSuperuser(
    ['--username', 'rootadmin', '--email', 'root@example.com', '--password', 'Granite-Harbor-Owl-77'],
    io,
  );
  expect(code).toBe(0);
  expect(output.stdout).toContain('Superuser "rootadmin" created');
  expect(output.stdout + output.stderr).not.toContain('Granite-Harbor-Owl-77');
  await withApp(async (t) => {
    const result = await login(t, 'RootAdmin', 'Granite-Harbor-Owl-77');
    expect(result.data!.login.user).toMatchObject({ isActive: true, isStaff: true, isSuperuser: true });
  });
});

test('takes the password from SUPERUSER_PASSWORD', async () => {
  const { io } = fakeCliIO({ env: { SUPERUSER_PASSWORD: 'Willow-Cobalt-Fern-31' } });
  expect(await runCreateSuperuser(['--username', 'envadmin', '--email', 'env@example.com'], io)).toBe(0);
  await withApp(async (t) => expect((await login(t, 'envadmin', 'Willow-Cobalt-Fern-31')).errors).toBeUndefined());
});

test('prompts twice, without echo, in a terminal', async () => {
  const { io, output } = fakeCliIO({ tty: true, typed: ['Saffron-Meadow-Kite-64', 'Saffron-Meadow-Kite-64'] });
  expect(await runCreateSuperuser(['--username', 'ttyadmin', '--email', 'tty@example.com'], io)).toBe(0);
  expect(output.stdout).toContain('Password: ');
  expect(output.stdout).toContain('Password (again): ');
  expect(output.stdout).not.toContain('Saffron-Meadow-Kite-64');
  await withApp(async (t) => expect((await login(t, 'ttyadmin', 'Saffron-Meadow-Kite-64')).errors).toBeUndefined());
});

test('prompted passwords must match', async () => {
  const { io, output } = fakeCliIO({ tty: true, typed: ['Saffron-Meadow-Kite-64', 'Saffron-Meadow-Kite-65'] });
  expect(await runCreateSuperuser(['--username', 'mismatch', '--email', 'mm@example.com'], io)).toBe(1);
  expect(output.stderr).toContain("didn't match");
});

test('applies registration validation, prints every problem, exits non-zero and creates nothing', async () => {
  const { io, output } = fakeCliIO();
  const code = await runCreateSuperuser(['--username', 'ROOTADMIN', '--email', 'bad-email', '--password', 'short'], io);
  expect(code).toBe(1);
  expect(output.stderr).toContain(`username: ${messages.usernameTaken}`);
  expect(output.stderr).toContain('email: ');
  expect(output.stderr).toContain(`password: ${passwordMessages.tooShort(12)}`);
  await withApp(async (t) => {
    expect(await t.sql("select id from users where email_canonical = 'bad-email'")).toHaveLength(0);
  });
});

test('without a password source outside a terminal it fails clearly', async () => {
  const { io, output } = fakeCliIO();
  expect(await runCreateSuperuser(['--username', 'nopass', '--email', 'nopass@example.com'], io)).toBe(1);
  expect(output.stderr).toContain('no password');
});

test('missing arguments and a bad configuration are reported with a non-zero exit', async () => {
  const missing = fakeCliIO();
  expect(await runCreateSuperuser(['--email', 'x@example.com'], missing.io)).toBe(2);
  expect(missing.output.stderr).toContain('--username');
  const badConfig = fakeCliIO({ env: { BCRYPT_COST: '99' } });
  expect(
    await runCreateSuperuser(['--username', 'x', '--email', 'x@example.com', '--password', 'p'], badConfig.io),
  ).toBe(1);
  expect(badConfig.output.stderr).toContain('BCRYPT_COST');
});
