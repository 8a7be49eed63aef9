// Measures the time from running an npm script (default: start) to the server's "ready" log line,
// then stops the server with SIGTERM. The README's start-up figures come from this.
//   node scripts/measure-start.mjs [script] [--runs N]
// The server runs with the caller's environment; set DATABASE_URL and PORT to keep it off ./data.
import { spawn } from 'node:child_process';

const args = process.argv.slice(2);
const script = args.find((arg) => !arg.startsWith('--')) ?? 'start';
const runsIndex = args.indexOf('--runs');
const runs = runsIndex >= 0 ? Number(args[runsIndex + 1]) : 1;

function once() {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('npm', ['run', '--silent', script], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    let output = '';
    let ready = false;
    const timer = setTimeout(() => {
      process.kill(-child.pid, 'SIGKILL');
      reject(new Error(`not ready after 180 s:\n${output.slice(-2000)}`));
    }, 180_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (!ready && /ready at/.test(output)) {
        const ms = performance.now() - started;
        ready = true;
        clearTimeout(timer);
        // The whole process group: npm, and the node server (and a watcher) below it.
        process.kill(-child.pid, 'SIGTERM');
        child.once('close', () => resolve(ms));
      }
    });
    child.once('close', (code) => {
      if (ready) return;
      clearTimeout(timer);
      reject(new Error(`npm run ${script} exited (${code}) before it was ready:\n${output.slice(-2000)}`));
    });
  });
}

for (let run = 1; run <= runs; run++) {
  const ms = await once();
  console.log(`npm run ${script}: ready after ${(ms / 1000).toFixed(1)} s`);
}
