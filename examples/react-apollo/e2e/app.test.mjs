// End-to-end: the real API (node dist/main.js on in-memory PGlite) delivering its mail to a real
// SMTP server in this process, this app built by Vite and served by `vite preview`, driven in
// Debian's Chromium through playwright-core.
//
//   npm run build                                  (at the repository root, once: builds dist/)
//   npm --prefix examples/react-apollo run test:e2e
//
// CHROMIUM_PATH overrides /usr/bin/chromium. Screenshots and the API's log go to e2e/output/
// (git-ignored); a failing step leaves failed-<step>.png there.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build, preview } from 'vite';
import { linkIn, startSmtpServer } from './smtp.mjs';

const appRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = path.resolve(appRoot, '../..');
const outputDir = path.join(appRoot, 'e2e', 'output');
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const PASSWORD = 'Plum-Harbour-Lantern-42';
const NEW_PASSWORD = 'Quartz-Meadow-Violin-87';
const PAGE_SIZE = 5; // src/views/UsersPage.tsx

let smtp; // { url, received, nextMail(to, subject), close() }
let api; // { process, url, output() }
let app; // { server, origin, outDir }
let browser;
let page;
const pageErrors = [];

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startApi(port, appOrigin, smtpUrl) {
  const main = path.join(repoRoot, 'dist', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` at the repository root first`);
  let output = '';
  const child = spawn(process.execPath, [main], {
    cwd: repoRoot,
    env: {
      ...process.env,
      DATABASE_URL: 'pglite://memory',
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: String(port),
      CORS_ORIGINS: appOrigin,
      BCRYPT_COST: '4',
      LOG_LEVEL: 'warn',
      // Mail through the test's SMTP server; its links open this app's pages (see src/link.ts).
      SMTP_URL: smtpUrl,
      MAIL_FROM: 'authapi e2e <auth@example.com>',
      PASSWORD_RESET_URL: `${appOrigin}/reset-password?token={token}`,
      EMAIL_VERIFICATION_URL: `${appOrigin}/verify-email?token={token}`,
      EMAIL_VERIFICATION: 'optional',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(`${base}/readyz`)).ok) return { process: child, url: `${base}/graphql`, output: () => output };
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  child.kill('SIGKILL');
  throw new Error(`the API was not ready within 60 s:\n${output}`);
}

/** A GraphQL request straight to the API, as another device would make it. */
async function gql(query, variables = {}, token) {
  const response = await fetch(api.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return response.json();
}

async function registerDirectly(username) {
  const result = await gql('mutation ($input: RegisterInput!) { register(input: $input) { token } }', {
    input: { username, email: `${username}@example.com`, password: PASSWORD },
  });
  assert.ok(result.data?.register.token, `register ${username}: ${JSON.stringify(result.errors)}`);
}

async function isTokenAlive(token) {
  const result = await gql('{ me { id } }', {}, token);
  if (result.data?.me) return true;
  assert.equal(result.errors?.[0]?.extensions?.reason, 'INVALID_TOKEN', JSON.stringify(result));
  return false;
}

/** Polls until the locator matches exactly `count` elements. */
async function waitForCount(locator, count, timeout = 15_000) {
  const deadline = Date.now() + timeout;
  let seen;
  while (Date.now() < deadline) {
    seen = await locator.count();
    if (seen === count) return;
    await sleep(50);
  }
  assert.fail(`expected ${count} elements, found ${seen}`);
}

/** Polls until the locator's text is exactly `text`. */
async function waitForText(locator, text, timeout = 15_000) {
  const deadline = Date.now() + timeout;
  let seen;
  while (Date.now() < deadline) {
    seen = (await locator.count()) > 0 ? (await locator.innerText()).trim() : undefined;
    if (seen === text) return;
    await sleep(50);
  }
  assert.fail(`expected "${text}", found ${JSON.stringify(seen)}`);
}

/** A subtest that leaves a screenshot of the page when it fails. */
function step(t, name, fn) {
  return t.test(name, async () => {
    try {
      await fn();
    } catch (error) {
      await shot(`failed-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}`).catch(() => {});
      throw error;
    }
  });
}

async function shot(name) {
  const file = path.join(outputDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

const started = performance.now();
process.on('exit', () => log('exit'));
const log = (what) => console.log(`[e2e +${((performance.now() - started) / 1000).toFixed(1)} s] ${what}`);

async function serveApp(apiUrl, port) {
  // VITE_* variables in the environment reach import.meta.env at build time.
  process.env.VITE_API_URL = apiUrl;
  const outDir = mkdtempSync(path.join(tmpdir(), 'react-apollo-e2e-'));
  await build({ root: appRoot, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const server = await preview({
    root: appRoot,
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port, strictPort: true },
  });
  return { server, origin: `http://127.0.0.1:${port}`, outDir };
}

function launchChromium() {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

before(async () => {
  rmSync(outputDir, { recursive: true, force: true });
  mkdirSync(outputDir, { recursive: true });
  const [apiPort, appPort] = [await freePort(), await freePort()];
  smtp = await startSmtpServer(); // a moment: the API needs its address

  // All three start at once; the API's embedded database is the slowest. Each result is kept as
  // soon as it arrives, so after() stops whatever did start when another one failed.
  const results = await Promise.allSettled([
    startApi(apiPort, `http://127.0.0.1:${appPort}`, smtp.url).then((started) => {
      api = started;
      log(`API ready at ${api.url}`);
    }),
    serveApp(`http://127.0.0.1:${apiPort}/graphql`, appPort).then((served) => {
      app = served;
      log(`app built and served at ${app.origin}`);
    }),
    launchChromium().then((launched) => {
      browser = launched;
      log('Chromium started');
    }),
  ]);
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) throw failure.reason;

  const context = await browser.newContext({ viewport: { width: 1000, height: 720 } });
  page = await context.newPage();
  page.setDefaultTimeout(15_000); // a shared 2-core CI machine can be slow
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(`console: ${message.text()}`);
  });
});

after(async () => {
  await browser?.close();
  log('Chromium closed');
  await app?.server.close();
  log('preview closed');
  if (app) rmSync(app.outDir, { recursive: true, force: true });
  if (api) {
    api.process.kill('SIGTERM');
    const exited = new Promise((resolve) => api.process.once('exit', resolve));
    if ((await Promise.race([exited, sleep(5_000, 'timeout', { ref: false })])) === 'timeout')
      api.process.kill('SIGKILL');
    log('API stopped');
    writeFileSync(path.join(outputDir, 'api.log'), api.output());
  }
  await smtp?.close();
});

test('the example app against the real API', async (t) => {
  await step(t, 'register: a bad email is reported beside the email input', async () => {
    await page.goto(`${app.origin}/#/register`);
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Email').fill('alice-at-example');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Password (again)').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();

    const emailError = page.getByTestId('error-email');
    await emailError.waitFor();
    assert.match(await emailError.innerText(), /valid email/i);
    assert.equal(await page.getByLabel('Email').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByLabel('Email').getAttribute('aria-describedby'), 'email-errors');
    assert.equal(await page.getByTestId('error-username').count(), 0, 'only the email is wrong');
    await shot('1-register-field-error');
  });

  await step(t, 'register properly: signed in, `me` is shown', async () => {
    await page.getByLabel('Email').fill('alice@example.com');
    await page.getByRole('button', { name: 'Create account' }).click();
    const me = page.getByTestId('me');
    await me.waitFor();
    const text = await me.innerText();
    assert.match(text, /Signed in as alice/);
    assert.match(text, /alice@example\.com/);
    assert.ok(await page.evaluate(() => globalThis.sessionStorage.getItem('authapi.token')), 'token kept');
  });

  let confirmationLink;
  await step(t, 'me: the address is not confirmed yet, and "resend" mails a new link', async () => {
    const first = await smtp.nextMail('alice@example.com', 'Confirm your email address'); // from register
    await waitForText(page.getByTestId('email-status'), 'not confirmed');
    await page.getByRole('button', { name: 'Resend the confirmation email' }).click();
    assert.match(await page.getByTestId('resend-result').innerText(), /new confirmation link is on its way/);
    const second = await smtp.nextMail('alice@example.com', 'Confirm your email address');
    confirmationLink = linkIn(second);
    assert.ok(confirmationLink.startsWith(`${app.origin}/verify-email?token=`), confirmationLink);
    assert.notEqual(confirmationLink, linkIn(first), 'a new token');
  });

  await step(t, "verify email: the mail's link confirms the address", async () => {
    await page.goto(confirmationLink);
    const result = page.getByTestId('verify-result');
    await result.waitFor();
    assert.equal(await result.innerText(), 'Your email address is confirmed. Thank you.');
    const address = new URL(page.url());
    assert.equal(address.search, '', 'the token left the address bar');
    assert.equal(`${address.pathname}${address.hash}`, '/#/verify-email');
    await shot('2-email-verified');

    await page.getByRole('link', { name: 'Me' }).click(); // still signed in: the tab kept its token
    await waitForText(page.getByTestId('email-status'), 'confirmed');
    assert.equal(await page.getByRole('button', { name: 'Resend the confirmation email' }).count(), 0);
  });

  await step(t, 'verify email: a used link says so', async () => {
    await page.goto(confirmationLink);
    const result = page.getByTestId('verify-result');
    await result.waitFor();
    assert.match(await result.innerText(), /invalid or has expired, or was already used/);
  });

  await step(t, 'users: pages with "load more"', async () => {
    for (const name of ['bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi']) await registerDirectly(name);
    await page.getByRole('link', { name: 'Users' }).click();
    const rows = page.getByTestId('user-row');
    await waitForCount(rows, PAGE_SIZE);
    assert.equal(await page.getByTestId('users-count').innerText(), 'Showing 5 of 8');

    await page.getByRole('button', { name: 'Load more' }).click();
    await waitForCount(rows, 8);
    assert.deepEqual(await rows.allInnerTexts(), ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi']);
    assert.equal(await page.getByTestId('users-count').innerText(), 'Showing 8 of 8');
    assert.equal(await page.getByRole('button', { name: 'Load more' }).count(), 0, 'no next page');
    await shot('3-users');

    // Refresh starts the list again at the first page.
    await page.getByRole('button', { name: 'Refresh' }).click();
    await waitForCount(rows, PAGE_SIZE);
    await page.getByRole('button', { name: 'Load more' }).waitFor();
  });

  await step(t, 'sessions: another device is listed and revoked', async () => {
    const other = await gql('mutation ($input: LoginInput!) { login(input: $input) { token } }', {
      input: { username: 'alice', password: PASSWORD },
    });
    const otherToken = other.data.login.token;
    assert.ok(await isTokenAlive(otherToken));

    await page.getByRole('link', { name: 'Sessions' }).click();
    const rows = page.getByTestId('session-row');
    await waitForCount(rows, 2);
    assert.equal(await page.locator('[data-testid=session-row][data-current]').count(), 1);
    await shot('4-sessions');

    await page.getByRole('button', { name: 'Revoke' }).click();
    await waitForCount(rows, 1);
    assert.equal(await rows.first().getAttribute('data-current'), 'true', 'this browser stays signed in');
    assert.equal(await isTokenAlive(otherToken), false, 'the revoked token is refused');
  });

  await step(t, 'log out: the token is revoked and forgotten', async () => {
    const token = await page.evaluate(() => globalThis.sessionStorage.getItem('authapi.token'));
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    assert.equal(await page.evaluate(() => globalThis.sessionStorage.getItem('authapi.token')), null);
    assert.equal(await isTokenAlive(token), false, 'the server revoked it');
  });

  await step(t, 'log in: a wrong password is refused, the right one signs in', async () => {
    await page.getByLabel('Username or email').fill('alice@example.com');
    await page.getByLabel('Password').fill('not-the-password-at-all');
    await page.getByRole('button', { name: 'Log in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.equal(await alert.getAttribute('data-code'), 'UNAUTHENTICATED');
    assert.equal(await alert.getAttribute('data-reason'), 'INVALID_CREDENTIALS');

    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByTestId('me').waitFor();
    assert.match(await page.getByTestId('me').innerText(), /Signed in as alice/);
    await shot('5-me');
  });

  await step(t, 'a token revoked elsewhere sends the page back to the login form', async () => {
    // logoutAll from another device revokes every session of alice, this browser's included.
    const other = await gql('mutation ($input: LoginInput!) { login(input: $input) { token } }', {
      input: { username: 'alice', password: PASSWORD },
    });
    const all = await gql('mutation { logoutAll }', {}, other.data.login.token);
    assert.equal(all.data?.logoutAll, 2, JSON.stringify(all));

    await page.getByRole('link', { name: 'Sessions' }).click(); // asks the API again
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    assert.equal(await page.evaluate(() => globalThis.sessionStorage.getItem('authapi.token')), null);
  });

  let resetLink;
  await step(t, 'reset password: asked for from the login page, mailed', async () => {
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByLabel('Email').fill('alice@example.com');
    await page.getByRole('button', { name: 'Send me a link' }).click();
    assert.match(await page.getByTestId('reset-requested').innerText(), /If an account uses alice@example\.com/);
    resetLink = linkIn(await smtp.nextMail('alice@example.com', 'Reset your password'));
    assert.ok(resetLink.startsWith(`${app.origin}/reset-password?token=`), resetLink);
  });

  await step(t, 'reset password: the link opens the form, problems show beside their inputs', async () => {
    await page.goto(resetLink);
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    assert.equal(new URL(page.url()).search, '', 'the token left the address bar');
    const newPassword = page.getByLabel('New password', { exact: true });
    const again = page.getByLabel('New password (again)');
    const submit = page.getByRole('button', { name: 'Set the new password' });

    // Two different entries are caught here; the API is not asked.
    await newPassword.fill(NEW_PASSWORD);
    await again.fill(`${NEW_PASSWORD}-typo`);
    await submit.click();
    assert.equal(await page.getByTestId('error-newPasswordAgain').innerText(), 'The two passwords differ.');

    // The API's password policy, in extensions.fields.newPassword, beside that input.
    await newPassword.fill('too-short');
    await again.fill('too-short');
    await submit.click();
    const error = page.getByTestId('error-newPassword');
    await error.waitFor();
    assert.match(await error.innerText(), /too short/);
    assert.equal(await newPassword.getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByTestId('error-newPasswordAgain').count(), 0);
    await shot('6-reset-password-field-error');

    // A refused password leaves the link usable.
    await newPassword.fill(NEW_PASSWORD);
    await again.fill(NEW_PASSWORD);
    await submit.click();
    await page.getByTestId('reset-done').waitFor();
  });

  await step(t, 'log in: the old password is refused, the new one signs in', async () => {
    await page.getByRole('link', { name: 'Log in with the new password' }).click();
    await page.getByLabel('Username or email').fill('alice');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.equal(await alert.getAttribute('data-reason'), 'INVALID_CREDENTIALS');

    await page.getByLabel('Password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByTestId('me').waitFor();
    assert.match(await page.getByTestId('me').innerText(), /Signed in as alice/);
  });

  await step(t, 'reset password: a used link is refused with a clear message', async () => {
    await page.goto(resetLink);
    await page.getByLabel('New password', { exact: true }).fill(`${NEW_PASSWORD}-2`);
    await page.getByLabel('New password (again)').fill(`${NEW_PASSWORD}-2`);
    await page.getByRole('button', { name: 'Set the new password' }).click();
    const problem = page.getByTestId('token-error');
    await problem.waitFor();
    assert.match(await problem.innerText(), /invalid or has expired, or was already used/);
    assert.equal(await page.getByTestId('error-newPassword').count(), 0);
    await shot('7-reset-link-used');

    await page.getByRole('button', { name: 'Ask for a new link' }).click();
    await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
  });

  await step(t, 'the page raised no errors', () => {
    assert.deepEqual(pageErrors, []);
  });
});
