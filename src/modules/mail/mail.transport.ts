import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { MailConfig } from '../../config-mail';
import type { Logger } from '../../logger';

export interface OutgoingMail {
  id: string;
  kind: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Delivers one mail or throws; the worker decides about retries. */
export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

// A slow or silent server fails the attempt in bounded time; the outbox lease (mail.worker.ts)
// is longer than all of these together.
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

function smtpTransport(config: MailConfig, smtpUrl: string): MailTransport {
  // The URL as `url`: options given beside a URL string would be taken as message defaults.
  const transporter = nodemailer.createTransport({ url: smtpUrl, ...SMTP_TIMEOUTS }, { from: config.from });
  return {
    async send(mail) {
      await transporter.sendMail({ to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
    },
    close: () => transporter.close(),
  };
}

/**
 * Development without a mail server: each mail becomes an .eml file (open it in any mail client)
 * and a log line with its path and the link in it, so the flows can be followed by hand.
 */
function outboxDirectoryTransport(config: MailConfig, directory: string, logger: Logger): MailTransport {
  const builder = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(mail) {
      const built = await builder.sendMail({
        from: config.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
      });
      await mkdir(directory, { recursive: true, mode: 0o700 });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const path = join(directory, `${stamp}-${mail.kind}-${mail.id}.eml`);
      await writeFile(path, built.message as Buffer, { mode: 0o600 });
      const link = /https?:\/\/\S+/.exec(mail.text)?.[0] ?? null;
      logger.info({ path, to: mail.to, link }, `mail written to ${path}${link ? `; its link: ${link}` : ''}`);
    },
    close: () => builder.close(),
  };
}

/** SMTP when configured; else the outbox directory (outside production); else null: no mail. */
export function createMailTransport(config: MailConfig, logger: Logger): MailTransport | null {
  if (config.smtpUrl) return smtpTransport(config, config.smtpUrl);
  if (config.outboxDir) return outboxDirectoryTransport(config, config.outboxDir, logger);
  return null;
}
