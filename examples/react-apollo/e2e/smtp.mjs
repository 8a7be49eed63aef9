// A real SMTP server inside the test process, on 127.0.0.1 only, like the API's own test helper
// (test/support/smtp.ts): the API's nodemailer transport logs in and delivers over SMTP, and each
// mail is parsed as a mail client would parse it.
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { setTimeout as sleep } from 'node:timers/promises';

const USER = 'mailer';
const PASSWORD = 'e2e-smtp-secret';

function recipients(mail) {
  return [mail.to ?? []].flat().flatMap((group) => group.value.map((entry) => (entry.address ?? '').toLowerCase()));
}

export async function startSmtpServer() {
  const received = [];
  const taken = new Set();
  const server = new SMTPServer({
    // Plain SMTP on loopback: no STARTTLS (the API would have to trust a self-signed certificate).
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === USER && auth.password === PASSWORD) return callback(null, { user: USER });
      return callback(new Error('Invalid username or password'));
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          received.push(mail);
          callback();
        },
        (error) => callback(error),
      );
    },
  });
  await new Promise((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.server.address();
  return {
    /** The API's SMTP_URL. */
    url: `smtp://${USER}:${PASSWORD}@127.0.0.1:${port}`,
    received,
    /** The next mail to `address` with this subject that no earlier call took (waits for it). */
    async nextMail(address, subject, timeout = 20_000) {
      const deadline = Date.now() + timeout;
      for (;;) {
        const mail = received.find(
          (candidate) =>
            !taken.has(candidate) && candidate.subject === subject && recipients(candidate).includes(address),
        );
        if (mail) {
          taken.add(mail);
          return mail;
        }
        if (Date.now() > deadline) throw new Error(`no mail "${subject}" to ${address} within ${timeout} ms`);
        await sleep(50);
      }
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** The link in a mail: the same one in its text and in its HTML part. */
export function linkIn(mail) {
  const fromText = /https?:\/\/\S+/.exec(mail.text ?? '')?.[0];
  const href = /href="([^"]+)"/.exec(typeof mail.html === 'string' ? mail.html : '')?.[1]?.replaceAll('&amp;', '&');
  if (!fromText || fromText !== href) throw new Error(`no link, or two different ones, in: ${mail.text}`);
  return fromText;
}
