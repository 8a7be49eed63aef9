import { pause, startSmtpServer } from '../support/smtp';
import { startTestApp } from '../support/test-app';

declare const TEST_DATABASE: 'pglite' | 'postgres';

// Two instances on one database drain one outbox (FOR UPDATE SKIP LOCKED claims plus leases):
// every mail goes out once. PGlite serves a single connection, so this runs on PostgreSQL.
const onPostgres = TEST_DATABASE === 'postgres' ? test : test.skip;

onPostgres('two instances share the outbox and send every mail exactly once', async () => {
  const smtp = await startSmtpServer();
  const env = { SMTP_URL: smtp.url, MAIL_POLL_INTERVAL_MS: '50', EMAIL_VERIFICATION: 'off' };
  const first = await startTestApp(env);
  await first.reset();
  const second = await startTestApp(env);
  try {
    await first.sql(
      `insert into mail_outbox (id, kind, recipient, subject, text_body, html_body)
       select gen_random_uuid(), 'test', 'r' || n || '@example.com', 'Mail ' || n, 'Hello', '<p>Hello</p>'
       from generate_series(1, 60) as n`,
    );
    const deadline = Date.now() + 20_000;
    while (smtp.received.length < 60 && Date.now() < deadline) await pause(50);
    await pause(500);
    const subjects = smtp.received.map((mail) => mail.subject);
    expect(subjects).toHaveLength(60);
    expect(new Set(subjects).size).toBe(60);
    expect(await first.sql('select id from mail_outbox')).toEqual([]);
  } finally {
    await second.close();
    await first.close();
    await smtp.close();
  }
});
