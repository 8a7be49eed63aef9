import { messages } from '../../src/errors';
import { hashSessionToken } from '../../src/lib/token';
import { LOGIN, ME, ME_VERIFIED, REQUEST_PASSWORD_RESET, RESET_PASSWORD } from '../support/documents';
import { registerUser } from '../support/factories';
import { errorCode, fieldErrors, graphql } from '../support/graphql';
import { pause, startSmtpServer, tokenFromMail, type TestSmtpServer } from '../support/smtp';
import { startTestApp, withTestApp, type TestApp } from '../support/test-app';

// requestPasswordReset and resetPassword end to end: GraphQL in, SMTP out, the link's token back.

let smtp: TestSmtpServer;
let t: TestApp;
const NEW_PASSWORD = 'Granite-Harbour-Quietly-47';

function mailEnv(smtpUrl: string): Record<string, string> {
  return {
    SMTP_URL: smtpUrl,
    MAIL_FROM: 'Auth API <no-reply@example.test>',
    MAIL_POLL_INTERVAL_MS: '100',
    EMAIL_VERIFICATION: 'off',
  };
}

beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await startTestApp(mailEnv(smtp.url));
  await t.reset();
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});

async function requestReset(email: string) {
  const result = await graphql(t.url, REQUEST_PASSWORD_RESET, { email });
  expect(result.errors).toBeUndefined();
  expect(result.data!.requestPasswordReset).toBe(true);
}

test('a reset mail carries a single-use link; the reset revokes every session', async () => {
  const user = await registerUser(t.url);
  const otherSession = (await graphql(t.url, LOGIN, { input: { username: user.username, password: user.password } }))
    .data!.login.token;
  await requestReset(user.email.toUpperCase());

  const mail = await smtp.nextMailTo(user.email);
  expect(mail.from?.value[0].address).toBe('no-reply@example.test');
  expect(mail.subject).toBe('Reset your password');
  const token = tokenFromMail(mail);
  expect(mail.subject).not.toContain(token);
  expect(mail.text).toContain(`http://localhost:5173/reset-password?token=${token}`);
  expect(mail.html).toContain('<a href="http://localhost:5173/reset-password?token=');
  // Only the digest is stored.
  expect(await t.sql('select kind from mail_tokens where token_hash = ?', [hashSessionToken(token)])).toEqual([
    { kind: 'password_reset' },
  ]);

  const reset = await graphql(t.url, RESET_PASSWORD, { input: { token, newPassword: NEW_PASSWORD } });
  expect(reset.errors).toBeUndefined();
  expect(reset.data!.resetPassword).toBe(true);
  for (const session of [user.token, otherSession]) {
    expect(errorCode(await graphql(t.url, ME, {}, { token: session }))).toBe('UNAUTHENTICATED');
  }
  const oldLogin = await graphql(t.url, LOGIN, { input: { username: user.username, password: user.password } });
  expect(errorCode(oldLogin)).toBe('UNAUTHENTICATED');
  const login = await graphql(t.url, LOGIN, { input: { username: user.username, password: NEW_PASSWORD } });
  expect(login.errors).toBeUndefined();
  // The link reached the account's address: that address is now confirmed.
  const me = await graphql(t.url, ME_VERIFIED, {}, { token: login.data!.login.token });
  expect(me.data!.me.emailVerified).toBe(true);

  const again = await graphql(t.url, RESET_PASSWORD, { input: { token, newPassword: `${NEW_PASSWORD}-2` } });
  expect(errorCode(again)).toBe('BAD_USER_INPUT');
  expect(fieldErrors(again)).toEqual({ token: [messages.invalidMailToken] });
});

test('an unknown address gets the same answer and no mail', async () => {
  const user = await registerUser(t.url);
  const before = smtp.received.length;
  await requestReset('nobody-here@example.com');
  await requestReset(user.email);
  await smtp.nextMailTo(user.email);
  await pause(300);
  expect(smtp.received.length).toBe(before + 1);
  expect(smtp.mailsTo('nobody-here@example.com')).toEqual([]);
});

test('answers take about as long for an unknown address as for a known one', async () => {
  const user = await registerUser(t.url);
  const timed = async (email: string) => {
    const started = process.hrtime.bigint();
    await requestReset(email);
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const known: number[] = [];
  const unknown: number[] = [];
  for (let round = 0; round < 3; round++) {
    known.push(await timed(user.email));
    unknown.push(await timed(`unknown-${round}@example.com`));
  }
  // The address-dependent work runs after the answer; a loose bound for a shared machine.
  expect(Math.abs(median(known) - median(unknown))).toBeLessThan(50);
});

test('a new request makes the older link invalid', async () => {
  const user = await registerUser(t.url);
  await requestReset(user.email);
  const first = tokenFromMail(await smtp.nextMailTo(user.email));
  await requestReset(user.email);
  const second = tokenFromMail(await smtp.nextMailTo(user.email));
  const stale = await graphql(t.url, RESET_PASSWORD, { input: { token: first, newPassword: NEW_PASSWORD } });
  expect(fieldErrors(stale)).toEqual({ token: [messages.invalidMailToken] });
  const fresh = await graphql(t.url, RESET_PASSWORD, { input: { token: second, newPassword: NEW_PASSWORD } });
  expect(fresh.data?.resetPassword).toBe(true);
});

test('an expired or malformed token is BAD_USER_INPUT on token', async () => {
  const user = await registerUser(t.url);
  await requestReset(user.email);
  const token = tokenFromMail(await smtp.nextMailTo(user.email));
  await t.sql(`update mail_tokens set expires_at = now() - interval '1 second'`);
  for (const candidate of [token, 'not-a-token', 'A'.repeat(43)]) {
    const result = await graphql(t.url, RESET_PASSWORD, { input: { token: candidate, newPassword: NEW_PASSWORD } });
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(fieldErrors(result)).toEqual({ token: [messages.invalidMailToken] });
  }
});

test("the password policy applies with the account's own words; a refused password keeps the link", async () => {
  const user = await registerUser(t.url);
  await requestReset(user.email);
  const token = tokenFromMail(await smtp.nextMailTo(user.email));
  for (const weak of ['short', `${user.username}!`]) {
    const result = await graphql(t.url, RESET_PASSWORD, { input: { token, newPassword: weak } });
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(Object.keys(fieldErrors(result)!)).toEqual(['newPassword']);
  }
  const similar = await graphql(t.url, RESET_PASSWORD, { input: { token, newPassword: `${user.username}!` } });
  expect(fieldErrors(similar)!.newPassword.join(' ')).toMatch(/similar to the username/);
  const ok = await graphql(t.url, RESET_PASSWORD, { input: { token, newPassword: NEW_PASSWORD } });
  expect(ok.data?.resetPassword).toBe(true);
});

test('at most 3 mails per address per hour; the answer stays true', async () => {
  const user = await registerUser(t.url);
  for (let request = 0; request < 5; request++) await requestReset(user.email);
  for (let mail = 0; mail < 3; mail++) await smtp.nextMailTo(user.email);
  await pause(500);
  expect(smtp.mailsTo(user.email)).toHaveLength(3);
});

test('per client address the requests are capped with TOO_MANY_REQUESTS', async () => {
  // PGlite serves one connection: the shared app steps aside while this one runs.
  await t.close();
  await withTestApp({ ...mailEnv(smtp.url), PASSWORD_RESETS_PER_IP: '2' }, async (limited) => {
    for (let request = 0; request < 2; request++) {
      const result = await graphql(limited.url, REQUEST_PASSWORD_RESET, { email: `x${request}@example.com` });
      expect(result.data?.requestPasswordReset).toBe(true);
    }
    const refused = await graphql(limited.url, REQUEST_PASSWORD_RESET, { email: 'x9@example.com' });
    expect(errorCode(refused)).toBe('TOO_MANY_REQUESTS');
    expect(refused.errors![0].extensions.retryAfter).toBeGreaterThan(0);
  });
  t = await startTestApp(mailEnv(smtp.url));
});

test('resetPassword counts as a password operation: one per request', async () => {
  const result = await graphql(
    t.url,
    `
      mutation {
        a: resetPassword(input: { token: "x", newPassword: "y" })
        b: resetPassword(input: { token: "x", newPassword: "y" })
      }
    `,
  );
  expect(errorCode(result)).toBe('GRAPHQL_VALIDATION_FAILED');
});
