import bcrypt from 'bcrypt';
import { messages } from '../../src/errors';
import { CHANGE_PASSWORD, DELETE_ACCOUNT, LOGIN, REGISTER, UPDATE_PROFILE } from '../support/documents';
import { newUserInput, registerUser } from '../support/factories';
import { errorCode, graphql, type GraphQLResult } from '../support/graphql';
import { withTestApp, type TestApp } from '../support/test-app';

// Issue 11: what an attack on the running server broke. Each test drives the class of attack
// through the real server; addresses are told apart by X-Forwarded-For behind TRUST_PROXY=1.

const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });
const login = (t: TestApp, ip: string, username: string, password: string) =>
  graphql(t.url, LOGIN, { input: { username, password } }, from(ip));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterEach(() => jest.restoreAllMocks());

test('a parallel burst on one account gets the checks a sequence gets, and never locks the owner out', async () => {
  await withTestApp({ TRUST_PROXY: '1', LOGIN_FAILURES_PER_ACCOUNT: '100' }, async (t) => {
    const owner = await registerUser(t.url);
    const compare = jest.spyOn(bcrypt, 'compare');
    const burst = await Promise.all(
      Array.from({ length: 40 }, (_, index) => login(t, '203.0.113.66', owner.username, `Wrong-Guess-${index}`)),
    );
    expect(compare).toHaveBeenCalledTimes(5);
    const codes = burst.map(errorCode);
    expect(codes.filter((code) => code === 'UNAUTHENTICATED')).toHaveLength(5);
    expect(codes.filter((code) => code === 'TOO_MANY_REQUESTS')).toHaveLength(35);
    // The same address keeps trying, one after another, as fast as it is let through.
    for (let round = 0; round < 5; round++) await login(t, '203.0.113.66', owner.email, 'Wrong-Guess-again');
    // The owner, from elsewhere, is not locked out by any of it.
    expect((await login(t, '198.51.100.4', owner.username, owner.password)).errors).toBeUndefined();
  });
});

describe('hashing capacity is shared fairly', () => {
  test("a flood of password checks from one client does not stop another client's login", async () => {
    await withTestApp({ TRUST_PROXY: '1', HASH_CONCURRENCY: '2', HASH_QUEUE_MAX: '4' }, async (t) => {
      const attacker = await registerUser(t.url);
      const bystander = await registerUser(t.url);
      let flooding = true;
      const floodLoop = async () => {
        while (flooding) {
          await graphql(
            t.url,
            CHANGE_PASSWORD,
            { input: { currentPassword: 'Not-The-Password-1', newPassword: 'Another-Long-Secret-42' } },
            { token: attacker.token, ...from('203.0.113.9') },
          ).catch(() => undefined);
        }
      };
      const floods = Array.from({ length: 16 }, floodLoop);
      try {
        await sleep(200);
        for (let round = 0; round < 3; round++) {
          const result = await login(t, '198.51.100.20', bystander.username, bystander.password);
          expect(result.errors).toBeUndefined();
        }
      } finally {
        flooding = false;
        await Promise.all(floods);
      }
    });
  }, 120_000);

  test('a refusal for lack of capacity is never counted as a failed password', async () => {
    // One hash at a time and no queue: while another client's hash runs, a login is refused as busy.
    const env = { TRUST_PROXY: '1', HASH_CONCURRENCY: '1', HASH_QUEUE_MAX: '0', BCRYPT_COST: '12' };
    await withTestApp(env, async (t) => {
      const victim = await registerUser(t.url);
      // Busy refusals in a row; had they counted as failures, the 6th attempt would meet the delay.
      let streak = 0;
      for (let round = 0; round < 20 && streak < 6; round++) {
        const blocker = graphql(t.url, REGISTER, { input: newUserInput() }, from('203.0.113.10'));
        await sleep(80);
        const attempt = await login(t, '198.51.100.30', victim.username, 'Wrong-Password-1');
        streak = attempt.errors?.[0].message === messages.busy ? streak + 1 : 0;
        await blocker;
      }
      expect(streak).toBe(6);
      expect((await login(t, '198.51.100.30', victim.username, victim.password)).errors).toBeUndefined();
    });
  }, 120_000);
});

describe('a stolen token is no password oracle', () => {
  const expectDelayed = (result: GraphQLResult) => {
    expect(errorCode(result)).toBe('TOO_MANY_REQUESTS');
    expect(result.errors![0].extensions.retryAfter).toBeGreaterThanOrEqual(1);
  };

  test('changePassword: the progressive delay of login, per account, whatever the address', async () => {
    await withTestApp({ TRUST_PROXY: '1' }, async (t) => {
      const user = await registerUser(t.url);
      const change = (currentPassword: string, ip: string) =>
        graphql(
          t.url,
          CHANGE_PASSWORD,
          { input: { currentPassword, newPassword: 'Another-Long-Secret-42' } },
          { token: user.token, ...from(ip) },
        );
      for (let guess = 1; guess <= 5; guess++)
        expect(errorCode(await change(`Guess-${guess}-x`, '203.0.113.1'))).toBe('BAD_USER_INPUT');
      const compare = jest.spyOn(bcrypt, 'compare');
      expectDelayed(await change(user.password, '203.0.113.2'));
      expect(compare).not.toHaveBeenCalled();
    });
  });

  test('deleteAccount: the same', async () => {
    await withTestApp({}, async (t) => {
      const user = await registerUser(t.url);
      const remove = (password: string) => graphql(t.url, DELETE_ACCOUNT, { password }, { token: user.token });
      for (let guess = 1; guess <= 5; guess++)
        expect(errorCode(await remove(`Guess-${guess}-x`))).toBe('BAD_USER_INPUT');
      expectDelayed(await remove(user.password));
      expect(await t.sql('select id from users where id = ?', [user.id])).toHaveLength(1);
    });
  });
});

test('"is this address taken?" through updateProfile is throttled per account', async () => {
  await withTestApp({ TRUST_PROXY: '1', IDENTITY_CHANGES_PER_ACCOUNT: '3' }, async (t) => {
    const prober = await registerUser(t.url);
    const victim = await registerUser(t.url);
    const probe = () =>
      graphql(
        t.url,
        UPDATE_PROFILE,
        { input: { email: victim.email, firstName: 'x'.repeat(200) } },
        { token: prober.token, ...from(`203.0.113.${Math.floor(Math.random() * 200)}`) },
      );
    for (let round = 0; round < 3; round++) expect(errorCode(await probe())).toBe('BAD_USER_INPUT');
    const refused = await probe();
    expect(errorCode(refused)).toBe('TOO_MANY_REQUESTS');
    expect(refused.errors![0].extensions.fields).toBeUndefined();
    // Changing only names is not a probe.
    const rename = await graphql(t.url, UPDATE_PROFILE, { input: { firstName: 'Ada' } }, { token: prober.token });
    expect(rename.errors).toBeUndefined();
  });
});

describe('no login name reaches two accounts', () => {
  test("a username equal to someone's email address is refused, in any case or NFKC form", async () => {
    await withTestApp({}, async (t) => {
      const victim = await registerUser(t.url);
      for (const username of [victim.email, victim.email.toUpperCase(), victim.email.replace('u', 'ｕ')]) {
        const result = await graphql(t.url, REGISTER, { input: newUserInput({ username }) });
        expect(result.errors?.[0].extensions.fields).toEqual({ username: [messages.usernameTaken] });
      }
      // The victim's login by email still reaches the victim.
      const byEmail = await graphql(t.url, LOGIN, { input: { username: victim.email, password: victim.password } });
      expect(byEmail.data!.login.user.id).toBe(victim.id);
    });
  });

  test("an email address equal to someone's username is refused, at registration and in updateProfile", async () => {
    await withTestApp({}, async (t) => {
      const victim = await registerUser(t.url, { username: 'ada@example.org' });
      const taken = await graphql(t.url, REGISTER, { input: newUserInput({ email: 'ADA@example.org' }) });
      expect(taken.errors?.[0].extensions.fields).toEqual({ email: [messages.emailTaken] });
      const other = await registerUser(t.url);
      const change = await graphql(
        t.url,
        UPDATE_PROFILE,
        { input: { email: 'ada@EXAMPLE.org' } },
        { token: other.token },
      );
      expect(change.errors?.[0].extensions.fields).toEqual({ email: [messages.emailTaken] });
      const login = await graphql(t.url, LOGIN, { input: { username: 'Ada@Example.org', password: victim.password } });
      expect(login.data!.login.user.id).toBe(victim.id);
    });
  });

  test('racing registrations of a username and the same email address: one wins', async () => {
    await withTestApp({}, async (t) => {
      const name = `race${Date.now()}@example.net`;
      const results = await Promise.all([
        graphql(t.url, REGISTER, { input: newUserInput({ username: name }) }),
        graphql(t.url, REGISTER, { input: newUserInput({ email: name }) }),
      ]);
      expect(results.filter((result) => !result.errors)).toHaveLength(1);
      expect(await t.sql('select user_id from login_names where name = ?', [name])).toHaveLength(1);
    });
  });
});

describe('look-alike usernames (Unicode TR39)', () => {
  test('a username whose confusable skeleton is taken is refused', async () => {
    await withTestApp({}, async (t) => {
      await registerUser(t.url, { username: 'admin' });
      for (const username of ['\u0430dmin', '\u0391dmin', 'adrnin']) {
        const result = await graphql(t.url, REGISTER, { input: newUserInput({ username }) });
        expect(errorCode(result)).toBe('BAD_USER_INPUT');
        expect(result.errors![0].extensions.fields!.username).toBeDefined();
      }
    });
  });

  test('mixed scripts are refused; one non-Latin script is welcome', async () => {
    await withTestApp({}, async (t) => {
      const mixed = await graphql(t.url, REGISTER, { input: newUserInput({ username: 'p\u0430ypal' }) });
      expect(mixed.errors![0].extensions.fields!.username).toContain(
        'A username may not mix letters of different scripts (such as Latin and Cyrillic).',
      );
      for (const username of ['иванов', 'δημήτρης', '山田太郎', 'やまだ_taro']) {
        const result = await graphql(t.url, REGISTER, { input: newUserInput({ username }) });
        expect(result.errors).toBeUndefined();
      }
    });
  });

  test('two look-alikes, each of one script, registering at once: one wins', async () => {
    await withTestApp({}, async (t) => {
      // Latin "scope" and Cyrillic "ѕсоре" (dze, es, o, er, ie): the same skeleton.
      const results = await Promise.all(
        ['scope', '\u0455\u0441\u043e\u0440\u0435'].map((username) =>
          graphql(t.url, REGISTER, { input: newUserInput({ username }) }),
        ),
      );
      expect(results.filter((result) => !result.errors)).toHaveLength(1);
      const loser = results.find((result) => result.errors)!;
      expect(loser.errors![0].extensions.fields).toEqual({ username: [messages.usernameTaken] });
    });
  });
});
