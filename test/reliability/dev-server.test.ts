import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { freePort, gql, ME, register, ROOT, serverEnv, ServerProcess, tempDir } from './support';

// `npm run dev` runs src/ through scripts/swc-register.cjs. type-graphql and MikroORM read the
// decorator metadata that transform must emit: without it the schema or the entities fail to
// build, so the proof is a server that starts and answers an authenticated query.

let server: ServerProcess | null = null;
let serverTmp: string | null = null;
afterAll(async () => {
  await server?.kill9();
  if (serverTmp) await rm(serverTmp, { recursive: true, force: true });
});

test('the TypeScript sources run under the dev require hook and answer { me { id } }', async () => {
  const port = await freePort();
  serverTmp = await tempDir('dev');
  const env = serverEnv(port, { NODE_ENV: 'test', DATABASE_URL: 'pglite://memory', TMPDIR: serverTmp });
  const child = spawn(process.execPath, ['-r', './scripts/swc-register.cjs', 'src/main.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server = new ServerProcess(child, port, env);
  await server.waitForReady();

  const account = await register(server.baseUrl);
  const me = await gql(server.baseUrl, ME, {}, { token: account.token });
  expect(me.errors).toBeUndefined();
  expect(me.data?.me).toEqual({ id: account.id, username: account.username });
});
