import { messages } from '../../src/errors';
import { LOGIN, ME_VERIFIED, REGISTER, RESEND_VERIFICATION, UPDATE_PROFILE, VERIFY_EMAIL } from '../support/documents';
import { newUserInput, registerUser } from '../support/factories';
import { errorCode, fieldErrors, graphql } from '../support/graphql';
import { pause, startSmtpServer, tokenFromMail, type TestSmtpServer } from '../support/smtp';
import { startTestApp, withTestApp, type TestApp } from '../support/test-app';

// Address confirmation: on registration (optional and required modes), on demand, and when the
// address changes.

let smtp: TestSmtpServer;
let t: TestApp;

const mailEnv = (extra: Record<string, string> = {}) => ({
  SMTP_URL: smtp.url,
  MAIL_POLL_INTERVAL_MS: '100',
  ...extra,
});

beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await startTestApp(mailEnv());
  await t.reset();
});
afterAll(async () => {
  await t?.close();
  await smtp.close();
});

/** Runs a test on its own app: PGlite serves one connection, so the shared one steps aside. */
async function withOwnApp(env: Record<string, string>, body: (own: TestApp) => Promise<void>) {
  await t.close();
  try {
    await withTestApp(mailEnv(env), body);
  } finally {
    t = await startTestApp(mailEnv());
  }
}

const verified = async (url: string, token: string) =>
  (await graphql(url, ME_VERIFIED, {}, { token })).data!.me.emailVerified;

test('optional: registering mails a confirmation link, and login works meanwhile', async () => {
  const user = await registerUser(t.url);
  expect(user.token).toEqual(expect.any(String));
  expect(await verified(t.url, user.token)).toBe(false);
  const mail = await smtp.nextMailTo(user.email);
  expect(mail.subject).toBe('Confirm your email address');
  const token = tokenFromMail(mail);
  expect(mail.text).toContain(`http://localhost:5173/verify-email?token=${token}`);
  const login = await graphql(t.url, LOGIN, { input: { username: user.username, password: user.password } });
  expect(login.errors).toBeUndefined();

  const confirmed = await graphql(t.url, VERIFY_EMAIL, { token });
  expect(confirmed.data?.verifyEmail).toBe(true);
  expect(await verified(t.url, user.token)).toBe(true);
  const again = await graphql(t.url, VERIFY_EMAIL, { token });
  expect(errorCode(again)).toBe('BAD_USER_INPUT');
  expect(fieldErrors(again)).toEqual({ token: [messages.invalidMailToken] });
});

test('an expired or unknown verification token is BAD_USER_INPUT on token', async () => {
  const user = await registerUser(t.url);
  const token = tokenFromMail(await smtp.nextMailTo(user.email));
  await t.sql(`update mail_tokens set expires_at = now() - interval '1 second' where kind = 'email_verification'`);
  for (const candidate of [token, 'garbage', 'B'.repeat(43)]) {
    expect(fieldErrors(await graphql(t.url, VERIFY_EMAIL, { token: candidate }))).toEqual({
      token: [messages.invalidMailToken],
    });
  }
  expect(await verified(t.url, user.token)).toBe(false);
});

test('resendVerificationEmail needs a session, mails a new link, is throttled, and is false once confirmed', async () => {
  expect(errorCode(await graphql(t.url, RESEND_VERIFICATION))).toBe('UNAUTHENTICATED');
  const user = await registerUser(t.url);
  await smtp.nextMailTo(user.email);
  for (let resend = 0; resend < 3; resend++) {
    expect((await graphql(t.url, RESEND_VERIFICATION, {}, { token: user.token })).data?.resendVerificationEmail).toBe(
      true,
    );
  }
  const refused = await graphql(t.url, RESEND_VERIFICATION, {}, { token: user.token });
  expect(errorCode(refused)).toBe('TOO_MANY_REQUESTS');
  let token = '';
  for (let mail = 0; mail < 3; mail++) token = tokenFromMail(await smtp.nextMailTo(user.email));
  expect((await graphql(t.url, VERIFY_EMAIL, { token })).data?.verifyEmail).toBe(true);
  await t.sql(`delete from rate_limits`);
  expect((await graphql(t.url, RESEND_VERIFICATION, {}, { token: user.token })).data?.resendVerificationEmail).toBe(
    false,
  );
});

test('a new address is unconfirmed: a link goes to it, a notice to the old one, older links die', async () => {
  const user = await registerUser(t.url);
  const firstLink = tokenFromMail(await smtp.nextMailTo(user.email));
  const newEmail = `moved-${user.username}@example.org`;
  const updated = await graphql(t.url, UPDATE_PROFILE, { input: { email: newEmail } }, { token: user.token });
  expect(updated.data?.updateProfile.email).toBe(newEmail);
  expect(await verified(t.url, user.token)).toBe(false);

  const notice = await smtp.nextMailTo(user.email);
  expect(notice.subject).toBe('Your email address was changed');
  expect(notice.text).not.toMatch(/token=/);
  expect(notice.text).toContain('***@example.org');
  const newLink = tokenFromMail(await smtp.nextMailTo(newEmail));

  // The link mailed to the old address confirms nothing now.
  expect(fieldErrors(await graphql(t.url, VERIFY_EMAIL, { token: firstLink }))).toEqual({
    token: [messages.invalidMailToken],
  });
  expect((await graphql(t.url, VERIFY_EMAIL, { token: newLink })).data?.verifyEmail).toBe(true);
  expect(await verified(t.url, user.token)).toBe(true);

  // Another case of the same address is no change: no mail, still confirmed.
  const before = smtp.received.length;
  await graphql(t.url, UPDATE_PROFILE, { input: { email: newEmail.toUpperCase() } }, { token: user.token });
  await pause(300);
  expect(smtp.received.length).toBe(before);
  expect(await verified(t.url, user.token)).toBe(true);
});

test('off: no confirmation mail at registration', async () => {
  await withOwnApp({ EMAIL_VERIFICATION: 'off' }, async (own) => {
    const user = await registerUser(own.url);
    await pause(400);
    expect(smtp.mailsTo(user.email)).toEqual([]);
  });
});

test('required: no session at registration; EMAIL_NOT_VERIFIED only for the right password', async () => {
  await withOwnApp({ EMAIL_VERIFICATION: 'required' }, async (own) => {
    const input = newUserInput();
    const registered = await graphql(own.url, REGISTER, { input });
    expect(registered.errors).toBeUndefined();
    expect(registered.data!.register).toMatchObject({ token: null, expiresAt: null, user: { lastLogin: null } });

    const right = await graphql(own.url, LOGIN, { input: { username: input.username, password: input.password } });
    expect(errorCode(right)).toBe('EMAIL_NOT_VERIFIED');
    expect(right.errors![0].message).toBe(messages.emailNotVerified);
    const wrong = await graphql(own.url, LOGIN, {
      input: { username: input.username, password: 'Wrong-Password-123' },
    });
    expect(errorCode(wrong)).toBe('UNAUTHENTICATED');
    expect(wrong.errors![0].extensions.reason ?? wrong.errors![0].message).not.toBe(messages.emailNotVerified);

    const token = tokenFromMail(await smtp.nextMailTo(input.email));
    expect((await graphql(own.url, VERIFY_EMAIL, { token })).data?.verifyEmail).toBe(true);
    const login = await graphql(own.url, LOGIN, { input: { username: input.username, password: input.password } });
    expect(login.errors).toBeUndefined();
    expect(login.data!.login.user.lastLogin).not.toBeNull();
  });
});
