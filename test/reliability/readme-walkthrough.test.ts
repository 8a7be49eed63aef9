import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { killAllServers, ROOT, startServer, type ServerProcess } from './support';

// The README's Operations section is a walkthrough: its shell blocks, up to the Staff section, run
// in order in one bash process against a fresh server, and each block's answer is checked here.
// The sample answers (json blocks) must have the shape of the real ones.

interface Step {
  heading: string;
  script: string;
  /** The json block right after this shell block, if any. */
  sample?: unknown;
}

function walkthroughSteps(): Step[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Operations\n');
  const end = readme.indexOf('\n### setUserActive and deleteUser', start);
  if (start < 0 || end < 0)
    throw new Error('README.md: no "## Operations" section ending at "### setUserActive and deleteUser"');
  const steps: Step[] = [];
  let heading = 'Operations';
  const pattern = /^(#{2,3}) (.+)$|^```(sh|json)\n([\s\S]*?)^```$/gm;
  for (const match of readme.slice(start, end).matchAll(pattern)) {
    if (match[2]) heading = match[2];
    else if (match[3] === 'sh') steps.push({ heading, script: match[4] });
    else if (steps.length > 0 && steps[steps.length - 1].sample === undefined) {
      steps[steps.length - 1].sample = JSON.parse(match[4]);
    }
  }
  return steps;
}

/** Runs the blocks in one bash process; returns each block's output, parsed as one JSON value (null: none). */
function runSteps(steps: Step[], url: string): Promise<any[]> {
  const marker = '::walkthrough-step::';
  const script = ['set -euo pipefail', ...steps.flatMap((step) => [`echo '${marker}'`, step.script])].join('\n');
  return new Promise((resolve, reject) => {
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', URL: url };
    execFile('bash', ['-c', script], { env, timeout: 120_000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`the walkthrough failed: ${error.message}\n${stdout}\n${stderr}`));
      const outputs = stdout.split(`${marker}\n`).slice(1);
      resolve(outputs.map((output) => (output.trim() ? JSON.parse(output) : null)));
    });
  });
}

/** Object keys, recursively (arrays by their first element): what a sample must share with the answer. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length > 0 ? [shape(value[0])] : [];
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, shape((value as Record<string, unknown>)[key])]),
    );
  }
  return 'value';
}

let server: ServerProcess;
beforeAll(async () => {
  server = await startServer({ DATABASE_URL: 'pglite://memory' });
});
afterAll(() => killAllServers());

test('the README walkthrough runs top to bottom on a fresh server, and every answer is as described', async () => {
  const steps = walkthroughSteps();
  const answers = await runSteps(steps, server.graphqlUrl);
  const [setup, register, registerBob, login, me, user, users, nextPage, sessions, revoke, update, change] = answers;
  const [logout, refused, logoutAll, deleteAccount] = answers.slice(12);

  // Adding, removing or moving a block means updating the checks below.
  expect(steps.map((step) => step.heading)).toEqual([
    'Operations',
    'register',
    'register',
    'login',
    'me',
    'user(id)',
    'users',
    'users',
    'sessions',
    'revokeSession',
    'updateProfile',
    'changePassword',
    'logout / logoutAll',
    'logout / logoutAll',
    'logout / logoutAll',
    'deleteAccount',
  ]);
  expect(setup).toBeNull();
  const alice = register.data.register.user;
  expect(register.data.register.token).toEqual(expect.any(String));
  expect(alice).toMatchObject({ username: 'alice', email: 'alice@example.com', lastLogin: expect.any(String) });
  expect(registerBob.data.register.user.username).toBe('bob');
  expect(login.data.login).toMatchObject({ token: expect.any(String), user: { username: 'alice' } });
  expect(login.data.login.user.lastLogin).toEqual(expect.any(String));
  expect(me.data.me).toMatchObject({ id: alice.id, username: 'alice', firstName: 'Alice', isStaff: false });
  expect(user.data.user).toEqual({
    id: registerBob.data.register.user.id,
    username: 'bob',
    email: null,
    lastLogin: null,
  });
  expect(users.data.users).toMatchObject({ totalCount: 2, nodes: [{ username: 'alice' }] });
  expect(users.data.users.pageInfo.hasNextPage).toBe(true);
  expect(nextPage.data.users).toMatchObject({ nodes: [{ username: 'bob' }], pageInfo: { hasNextPage: false } });
  expect(sessions.data.sessions).toHaveLength(2);
  expect(sessions.data.sessions.filter((session: { current: boolean }) => session.current)).toHaveLength(1);
  expect(revoke.data).toEqual({ revokeSession: true });
  expect(update.data.updateProfile).toMatchObject({ email: 'alice@example.org', lastName: 'Liddell' });
  expect(change.data).toEqual({ changePassword: true });
  expect(logout.data).toEqual({ logout: true });
  expect(refused.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  expect(logoutAll.data).toEqual({ logoutAll: 1 });
  expect(deleteAccount.data).toEqual({ deleteAccount: true });

  for (const [index, step] of steps.entries()) {
    if (step.sample === undefined) continue;
    expect({ step: step.heading, shape: shape(step.sample) }).toEqual({
      step: step.heading,
      shape: shape(answers[index]),
    });
  }
});
