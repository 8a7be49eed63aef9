import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createApp } from '../../src/app';
import { messages } from '../../src/errors';
import { createLogger } from '../../src/logger';
import { REQUEST_PASSWORD_RESET, RESEND_VERIFICATION, VERIFY_EMAIL } from '../support/documents';
import { registerUser } from '../support/factories';
import { errorCode, graphql } from '../support/graphql';
import { pause, startSmtpServer, tokenFromMail } from '../support/smtp';
import { startTestApp, testConfig, withTestApp } from '../support/test-app';

// The outbox: mail outlives a dead mail server and a restart, failures are retried, and without
// a mail server mail becomes files (development) or nothing at all (production).

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await pause(50);
  }
}

test('mail queued while the mail server is down is sent after a restart', async () => {
  // A port with nothing listening yet: the server is "down".
  const probe = await startSmtpServer();
  const { port, url: smtpUrl } = probe;
  await probe.close();
  const env = { SMTP_URL: smtpUrl, MAIL_POLL_INTERVAL_MS: '100', MAIL_RETRY_BASE_SECONDS: '1' };

  const first = await startTestApp(env);
  await first.reset();
  const user = await registerUser(first.url);
  try {
    await waitFor(async () => (await first.sql('select last_error from mail_outbox'))[0]?.last_error != null);
    const [queued] = await first.sql('select attempts, last_error from mail_outbox');
    expect(queued.attempts).toBeGreaterThanOrEqual(1);
    expect(queued.last_error).toMatch(/ECONNREFUSED|ESOCKET|connect/i);
  } finally {
    await first.close();
  }

  const smtp = await startSmtpServer(port);
  const second = await startTestApp(env);
  try {
    const mail = await smtp.nextMailTo(user.email, 15_000);
    expect((await graphql(second.url, VERIFY_EMAIL, { token: tokenFromMail(mail) })).data?.verifyEmail).toBe(true);
    await waitFor(async () => (await second.sql('select count(*)::int as n from mail_outbox'))[0].n === 0);
  } finally {
    await second.close();
    await smtp.close();
  }
});

test('a temporary refusal is retried with backoff', async () => {
  const smtp = await startSmtpServer();
  smtp.refuseNext(2);
  try {
    await withTestApp({ SMTP_URL: smtp.url, MAIL_POLL_INTERVAL_MS: '100', MAIL_RETRY_BASE_SECONDS: '1' }, async (t) => {
      const started = Date.now();
      const user = await registerUser(t.url);
      await smtp.nextMailTo(user.email, 15_000);
      // Two failures: waits of 1 s then 2 s before the third attempt.
      expect(Date.now() - started).toBeGreaterThanOrEqual(2500);
    });
  } finally {
    await smtp.close();
  }
});

test('without SMTP_URL in development, each mail is an .eml file and a log line with its link', async () => {
  const outbox = await mkdtemp(join(tmpdir(), 'authapi-outbox-'));
  let logs = '';
  const capture = new Writable({
    write(chunk, _encoding, done) {
      logs += chunk.toString();
      done();
    },
  });
  const app = await createApp(
    testConfig({ NODE_ENV: 'development', MAIL_OUTBOX_DIR: outbox, MAIL_POLL_INTERVAL_MS: '100', LOG_LEVEL: 'info' }),
    { logger: createLogger('info', capture) },
  );
  try {
    const url = await app.listen();
    const user = await registerUser(url);
    await waitFor(async () => (await readdir(outbox)).length === 1);
    const [file] = await readdir(outbox);
    expect(file).toMatch(/-email_verification-[0-9a-f-]{36}\.eml$/);
    const eml = await readFile(join(outbox, file), 'utf8');
    expect(eml).toContain(`To: ${user.email}`);
    expect(eml).toContain('Content-Type: text/plain');
    expect(eml).toContain('Content-Type: text/html');
    const line = logs.split('\n').find((entry) => entry.includes(file))!;
    const logged = JSON.parse(line);
    expect(logged.path).toBe(join(outbox, file));
    expect(logged.link).toMatch(/^http:\/\/localhost:5173\/verify-email\?token=[A-Za-z0-9_-]{43}$/);
  } finally {
    await app.close();
  }
});

test('production without SMTP_URL: a warning, accounts work, no mail anywhere, mail operations unavailable', async () => {
  let logs = '';
  const capture = new Writable({
    write(chunk, _encoding, done) {
      logs += chunk.toString();
      done();
    },
  });
  const app = await createApp(testConfig({ NODE_ENV: 'production', LOG_LEVEL: 'warn' }), {
    logger: createLogger('warn', capture),
  });
  try {
    expect(logs).toMatch(/SMTP_URL is not set/);
    const url = await app.listen();
    await app.orm.em.getConnection().execute('truncate table mail_outbox, mail_tokens');
    const user = await registerUser(url);
    expect(user.token).toEqual(expect.any(String));
    const forgot = await graphql(url, REQUEST_PASSWORD_RESET, { email: user.email });
    expect(errorCode(forgot)).toBe('SERVICE_UNAVAILABLE');
    expect(forgot.errors![0].message).toBe(messages.mailNotConfigured);
    const resend = await graphql(url, RESEND_VERIFICATION, {}, { token: user.token });
    expect(errorCode(resend)).toBe('SERVICE_UNAVAILABLE');
    const rows = await app.orm.em
      .getConnection()
      .execute(
        'select (select count(*) from mail_outbox)::int as mails, (select count(*) from mail_tokens)::int as tokens',
      );
    expect(rows[0]).toEqual({ mails: 0, tokens: 0 });
  } finally {
    await app.close();
  }
});
