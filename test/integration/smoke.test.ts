import { graphql } from '../support/graphql';
import { LOGIN, ME, REGISTER } from '../support/documents';
import { newUserInput } from '../support/factories';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ LOG_LEVEL: 'error' });
  await t.reset();
});
afterAll(() => t.close());

test('register, login, me', async () => {
  const input = newUserInput();
  const registered = await graphql(t.url, REGISTER, { input });
  console.log(registered.text);
  const login = await graphql(t.url, LOGIN, { input: { username: input.username, password: input.password } });
  console.log(login.text);
  const me = await graphql(t.url, ME, {}, { token: login.data!.login.token });
  console.log(me.text);
});
