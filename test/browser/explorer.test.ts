import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { killAllServers, startServer, type ServerProcess } from '../reliability/support';

// The offline explorer in a real browser with the network cut off: only 127.0.0.1 and localhost
// answer, every other request is aborted (and recorded, so the test can say none was tried).

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
// A loaded 2-core machine takes several seconds to parse the bundle (Monaco, GraphiQL, React).
const UI_TIMEOUT = 90_000;

let server: ServerProcess;
let browser: Browser;
let page: Page;
const refused: string[] = [];
const consoleProblems: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (or set CHROMIUM_PATH).`);
  }
  // NODE_ENV=test: JSON logs (the helper waits for the ready line) and the explorer on.
  server = await startServer({ NODE_ENV: 'test', DATABASE_URL: 'pglite://memory' });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.route('**/*', (route) => {
    const { hostname } = new URL(route.request().url());
    if (hostname === '127.0.0.1' || hostname === 'localhost') return route.continue();
    refused.push(route.request().url());
    return route.abort('internetdisconnected');
  });
  page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error' || /Content Security Policy/i.test(message.text())) {
      consoleProblems.push(message.text());
    }
  });
  page.on('pageerror', (error) => consoleProblems.push(error.message));
});

afterAll(async () => {
  await browser?.close();
  await killAllServers();
});

/** The JSON body of the next POST /graphql whose operation has this name, sent by `action`. */
async function graphqlResponseOf(operationName: string, action: () => Promise<void>): Promise<any> {
  const [response] = await Promise.all([
    page.waitForResponse(
      (candidate) =>
        candidate.request().method() === 'POST' &&
        new URL(candidate.url()).pathname === '/graphql' &&
        JSON.parse(candidate.request().postData() ?? '{}').operationName === operationName,
      { timeout: UI_TIMEOUT },
    ),
    action(),
  ]);
  return response.json();
}

/** Waits until the response editor shows this text (Monaco renders spaces as no-break spaces). */
async function responsePanelShows(pattern: RegExp): Promise<void> {
  await page.locator('.graphiql-response', { hasText: pattern }).waitFor({ timeout: UI_TIMEOUT });
}

test('GraphiQL loads from this server alone, runs the prefilled register, then me with a token set in Headers', async () => {
  await page.goto(`${server.baseUrl}/graphql`, { timeout: UI_TIMEOUT });
  const run = page.locator('.graphiql-execute-button');
  await run.waitFor({ timeout: UI_TIMEOUT });

  // The first tab is the prefilled Register example, variables included.
  const registered = await graphqlResponseOf('Register', () => run.click());
  expect(registered.errors).toBeUndefined();
  const { token, user } = registered.data.register;
  expect(user.username).toBe('ada');
  await responsePanelShows(/"username":\s*"ada"/);

  // The Me tab: replace the placeholder in its Headers editor with the token.
  await page.getByRole('tab', { name: 'Me' }).click();
  await page.getByText('Headers', { exact: true }).click();
  await page.locator('.graphiql-editor-tool .monaco-editor').last().click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(JSON.stringify({ Authorization: `Token ${token}` }));
  // Monaco closes brackets and quotes as they are typed: drop what it added after the cursor.
  await page.keyboard.press('Shift+Control+End');
  await page.keyboard.press('Delete');
  const me = await graphqlResponseOf('Me', () => run.click());
  expect(me.errors).toBeUndefined();
  expect(me.data.me).toMatchObject({ id: user.id, username: 'ada' });
  await responsePanelShows(new RegExp(`"id":\\s*"${user.id}"`));

  const screenshots = await mkdtemp(join(tmpdir(), 'authapi-explorer-'));
  const screenshot = join(screenshots, 'explorer.png');
  await page.screenshot({ path: screenshot });
  console.log(`explorer screenshot: ${screenshot}`);

  expect(refused).toEqual([]);
  expect(consoleProblems).toEqual([]);
});
