import type { AddressInfo } from 'node:net';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

// A real SMTP server in the test process (on 127.0.0.1 only): the app's nodemailer transport
// talks SMTP to it, with a login, and every mail is parsed as a mail client would.

export const SMTP_USER = 'mailer';
export const SMTP_PASSWORD = 'smtp-test-secret';

export interface TestSmtpServer {
  port: number;
  /** The SMTP_URL for the app. */
  url: string;
  received: ParsedMail[];
  /** The next not yet taken mail to this address (waits for it). */
  nextMailTo(address: string, timeoutMs?: number): Promise<ParsedMail>;
  /** Every mail to this address received so far. */
  mailsTo(address: string): ParsedMail[];
  /** Refuse the next n mails with a temporary error (451), as a busy server does. */
  refuseNext(count: number): void;
  close(): Promise<void>;
}

function recipients(mail: ParsedMail): string[] {
  const to = ([] as AddressObject[]).concat(mail.to ?? []);
  return to.flatMap((group) => group.value.map((entry) => (entry.address ?? '').toLowerCase()));
}

export async function startSmtpServer(port = 0): Promise<TestSmtpServer> {
  const received: ParsedMail[] = [];
  const taken = new Set<ParsedMail>();
  let refusals = 0;
  const server = new SMTPServer({
    // Plain SMTP on loopback: no STARTTLS (the app would have to trust a self-signed certificate).
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) return callback(null, { user: SMTP_USER });
      return callback(new Error('Invalid username or password'));
    },
    onData(stream, _session, callback) {
      if (refusals > 0) {
        refusals -= 1;
        stream.resume();
        stream.on('end', () => callback(Object.assign(new Error('Try again later'), { responseCode: 451 }) as Error));
        return;
      }
      simpleParser(stream).then(
        (mail) => {
          received.push(mail);
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actualPort = (server.server.address() as AddressInfo).port;
  const mailsTo = (address: string) => received.filter((mail) => recipients(mail).includes(address.toLowerCase()));
  return {
    port: actualPort,
    url: `smtp://${SMTP_USER}:${SMTP_PASSWORD}@127.0.0.1:${actualPort}`,
    received,
    mailsTo,
    async nextMailTo(address, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const mail = mailsTo(address).find((candidate) => !taken.has(candidate));
        if (mail) {
          taken.add(mail);
          return mail;
        }
        if (Date.now() > deadline) throw new Error(`no mail to ${address} within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    refuseNext(count) {
      refusals = count;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The token in the mail's link (the default templates: …?token=<token>), checked in both parts. */
export function tokenFromMail(mail: ParsedMail): string {
  const fromText = /[?&]token=([^\s&"<>]+)/.exec(mail.text ?? '')?.[1];
  const fromHtml = /[?&]token=([^\s&"<>]+)/.exec(typeof mail.html === 'string' ? mail.html : '')?.[1];
  if (!fromText || fromText !== fromHtml) throw new Error(`no link (or two different ones) in: ${mail.text}`);
  return decodeURIComponent(fromText);
}

/** Resolves after `ms`: for "nothing more arrives" checks. */
export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
