import { ME } from '../support/documents';
import { loginUser, registerUser } from '../support/factories';
import { errorCode, graphql } from '../support/graphql';
import { withTestApp } from '../support/test-app';

test('at the SESSION_LIMIT_PER_USER cap a new login removes the oldest session', async () => {
  await withTestApp({ SESSION_LIMIT_PER_USER: '2' }, async (t) => {
    const user = await registerUser(t.url);
    const second = await loginUser(t.url, user.username, user.password);
    const third = await loginUser(t.url, user.username, user.password);
    expect(errorCode(await graphql(t.url, ME, {}, { token: user.token }))).toBe('UNAUTHENTICATED');
    for (const token of [second, third]) expect((await graphql(t.url, ME, {}, { token })).data!.me.id).toBe(user.id);
    expect(await t.sql('select id from sessions where user_id = ?', [user.id])).toHaveLength(2);
    const bystander = await registerUser(t.url);
    expect((await graphql(t.url, ME, {}, { token: bystander.token })).errors).toBeUndefined();
    expect((await graphql(t.url, ME, {}, { token: third })).errors).toBeUndefined();
  });
});

test('sessions are capped by default: 100 per user, the oldest go first', async () => {
  await withTestApp({}, async (capped) => {
    const user = await registerUser(capped.url);
    const tokens = [];
    for (let login = 0; login < 100; login++) tokens.push(await loginUser(capped.url, user.username, user.password));
    expect(await capped.sql('select id from sessions where user_id = ?', [user.id])).toHaveLength(100);
    expect(errorCode(await graphql(capped.url, ME, {}, { token: user.token }))).toBe('UNAUTHENTICATED');
    expect((await graphql(capped.url, ME, {}, { token: tokens[0] })).errors).toBeUndefined();
  });
}, 120_000);
