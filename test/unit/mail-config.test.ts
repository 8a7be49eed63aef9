import { resolve } from 'node:path';
import { loadConfig } from '../../src/config';
import { problemsOf } from '../support/config-problems';

const PRODUCTION = { NODE_ENV: 'production', DATABASE_URL: 'postgres://u:p@db/app' };

test('defaults: optional verification, outbox files beside the embedded database, local frontend links', () => {
  expect(loadConfig({}).mail).toMatchObject({
    smtpUrl: null,
    outboxDir: resolve('./data/outbox'),
    passwordResetUrl: 'http://localhost:5173/reset-password?token={token}',
    emailVerificationUrl: 'http://localhost:5173/verify-email?token={token}',
    passwordResetTtlSeconds: 3600,
    emailVerificationTtlSeconds: 48 * 3600,
    emailVerification: 'optional',
    passwordResetsPerAddress: 3,
  });
  expect(loadConfig({ DATABASE_URL: 'pglite://memory' }).mail.outboxDir).toBe(resolve('./mail-outbox'));
  expect(loadConfig({ MAIL_OUTBOX_DIR: '/tmp/mails' }).mail.outboxDir).toBe('/tmp/mails');
});

test('with SMTP_URL nothing is written to disk', () => {
  const mail = loadConfig({ SMTP_URL: 'smtps://user:secret@mail.example.com:465' }).mail;
  expect(mail).toMatchObject({ smtpUrl: 'smtps://user:secret@mail.example.com:465', outboxDir: null });
});

test('a bad SMTP_URL is reported without its value (it holds a password)', () => {
  const problems = problemsOf({ SMTP_URL: 'http://user:hunter2@mail.example.com' });
  expect(problems).toEqual([expect.stringContaining('SMTP_URL must be an smtp:// or smtps:// URL')]);
  expect(problems.join()).not.toContain('hunter2');
});

test('link templates need http(s) and exactly one {token}; every problem is reported at once', () => {
  const problems = problemsOf({
    PASSWORD_RESET_URL: 'https://app.example.com/reset',
    EMAIL_VERIFICATION_URL: 'ftp://x/{token}',
    EMAIL_VERIFICATION: 'sometimes',
    PASSWORD_RESET_TTL_SECONDS: '5',
    MAIL_FROM: 'not an address',
  });
  expect(problems).toHaveLength(5);
});

test('production without SMTP_URL: no outbox files; required verification is a configuration error', () => {
  expect(loadConfig(PRODUCTION).mail).toMatchObject({ smtpUrl: null, outboxDir: null });
  expect(problemsOf({ ...PRODUCTION, EMAIL_VERIFICATION: 'required' })).toEqual([
    expect.stringContaining('EMAIL_VERIFICATION=required needs SMTP_URL'),
  ]);
});

test('production with SMTP_URL needs MAIL_FROM', () => {
  expect(problemsOf({ ...PRODUCTION, SMTP_URL: 'smtp://mail:587' })).toEqual([
    'MAIL_FROM must be set when SMTP_URL is',
  ]);
  const mail = loadConfig({ ...PRODUCTION, SMTP_URL: 'smtp://mail:587', MAIL_FROM: 'Example <auth@example.com>' }).mail;
  expect(mail.from).toBe('Example <auth@example.com>');
});
