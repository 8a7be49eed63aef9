import { resolve } from 'node:path';
import type { DatabaseConfig, NodeEnv } from './config';
import type { EnvReader } from './lib/env-reader';

// The mail part of loadConfig (config.ts), split out for length. It reads the environment only
// through config.ts's reader, so config.ts stays its one reader.

export type EmailVerificationMode = 'off' | 'optional' | 'required';

export interface MailConfig {
  /** smtp:// or smtps://, credentials included; null = no mail server. */
  smtpUrl: string | null;
  from: string;
  /** Without SMTP outside production, mails are written here as .eml files; else null. */
  outboxDir: string | null;
  /** Frontend pages, each with a {token} placeholder. */
  passwordResetUrl: string;
  emailVerificationUrl: string;
  passwordResetTtlSeconds: number;
  emailVerificationTtlSeconds: number;
  emailVerification: EmailVerificationMode;
  /** requestPasswordReset: mails per address, and requests per client address, per hour. */
  passwordResetsPerAddress: number;
  passwordResetsPerIp: number;
  /** resendVerificationEmail: mails per account per hour. */
  verificationResendsPerUser: number;
  /** The outbox worker: how often it looks for due mail, and how it retries. */
  pollIntervalMs: number;
  maxAttempts: number;
  retryBaseSeconds: number;
}

function smtpUrlOf(reader: EnvReader): string | null {
  const url = reader.raw('SMTP_URL');
  if (url === undefined) return null;
  let valid = false;
  try {
    const parsed = new URL(url);
    valid = /^smtps?:$/.test(parsed.protocol) && parsed.hostname !== '';
  } catch {
    valid = false;
  }
  // The URL may hold a password: name the variable, never echo its value.
  if (!valid) reader.problems.push('SMTP_URL must be an smtp:// or smtps:// URL (smtps://user:password@host:465)');
  return url;
}

function linkTemplate(reader: EnvReader, name: string, fallback: string): string {
  const template = reader.string(name, fallback);
  let valid = false;
  try {
    valid = /^https?:$/.test(new URL(template.replace('{token}', 'x')).protocol);
  } catch {
    valid = false;
  }
  if (!valid || template.split('{token}').length !== 2) {
    reader.problems.push(`${name} must be an http(s) URL with one {token} placeholder (got "${template}")`);
  }
  return template;
}

/**
 * Where .eml files go when there is no SMTP server: beside the embedded database's files (a
 * directory inside it, which PGlite ignores once initialised), else ./mail-outbox — not
 * ./data/outbox, since PGlite refuses to create a database in a directory that is not empty.
 */
function outboxDirOf(reader: EnvReader, database: DatabaseConfig): string {
  const fallback = database.kind === 'pglite' && database.dataDir ? `${database.dataDir}/outbox` : './mail-outbox';
  return resolve(reader.string('MAIL_OUTBOX_DIR', fallback));
}

export function parseMailConfig(reader: EnvReader, nodeEnv: NodeEnv, database: DatabaseConfig): MailConfig {
  const production = nodeEnv === 'production';
  const smtpUrl = smtpUrlOf(reader);
  const emailVerification = reader.oneOf<EmailVerificationMode>('EMAIL_VERIFICATION', 'optional', [
    'off',
    'optional',
    'required',
  ]);
  if (production && !smtpUrl && emailVerification === 'required') {
    reader.problems.push('EMAIL_VERIFICATION=required needs SMTP_URL: no account could ever be confirmed');
  }
  const from = reader.raw('MAIL_FROM');
  if (production && smtpUrl && from === undefined) reader.problems.push('MAIL_FROM must be set when SMTP_URL is');
  if (from !== undefined && !/^[^@\s<>]+@[^@\s<>]+$|<[^@\s<>]+@[^@\s<>]+>$/.test(from)) {
    reader.problems.push(`MAIL_FROM must be an address, or "Name <address>" (got "${from}")`);
  }
  const perHour = (name: string, fallback: number) => reader.integer(name, fallback, 1, 1_000_000_000);
  return {
    smtpUrl,
    from: from ?? 'authapi <no-reply@localhost>',
    outboxDir: smtpUrl || production ? null : outboxDirOf(reader, database),
    passwordResetUrl: linkTemplate(reader, 'PASSWORD_RESET_URL', 'http://localhost:5173/reset-password?token={token}'),
    emailVerificationUrl: linkTemplate(
      reader,
      'EMAIL_VERIFICATION_URL',
      'http://localhost:5173/verify-email?token={token}',
    ),
    passwordResetTtlSeconds: reader.integer('PASSWORD_RESET_TTL_SECONDS', 3600, 60, 7 * 24 * 3600),
    emailVerificationTtlSeconds: reader.integer('EMAIL_VERIFICATION_TTL_SECONDS', 48 * 3600, 60, 30 * 24 * 3600),
    emailVerification,
    passwordResetsPerAddress: perHour('PASSWORD_RESETS_PER_ADDRESS', 3),
    passwordResetsPerIp: perHour('PASSWORD_RESETS_PER_IP', 20),
    verificationResendsPerUser: perHour('VERIFICATION_RESENDS_PER_USER', 3),
    pollIntervalMs: reader.integer('MAIL_POLL_INTERVAL_MS', 2000, 50, 3_600_000),
    maxAttempts: reader.integer('MAIL_MAX_ATTEMPTS', 10, 1, 100),
    retryBaseSeconds: reader.integer('MAIL_RETRY_BASE_SECONDS', 30, 1, 3600),
  };
}
