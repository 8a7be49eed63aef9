import 'reflect-metadata';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, superuserPasswordFromEnv } from '../config';
import { openDatabase } from '../db/database';
import { AppError, type FieldErrors } from '../errors';
import { createPasswordHasher } from '../lib/password-hash';
import { createSuperuser } from '../modules/admin/superuser.service';

export interface CliIO {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** The environment to read (tests pass their own); the process's when absent. */
  env?: Record<string, string | undefined>;
}

const USAGE = `Usage: npm run createsuperuser -- --username NAME --email ADDRESS [--password PASSWORD]
                                  [--first-name NAME] [--last-name NAME]
The password comes from --password, else SUPERUSER_PASSWORD, else a hidden prompt in a terminal.`;

/** Asks both questions on one readline, echoing nothing the user types. */
async function promptPasswordTwice(io: CliIO): Promise<[string, string]> {
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  const prompt = createInterface({ input: io.stdin, output: silent, terminal: true });
  const ask = (question: string) =>
    new Promise<string>((resolve) => {
      // Listen before showing the question, so an answer that arrives at once is not lost.
      prompt.question('', (answer) => {
        io.stdout.write('\n');
        resolve(answer);
      });
      io.stdout.write(question);
    });
  try {
    return [await ask('Password: '), await ask('Password (again): ')];
  } finally {
    prompt.close();
  }
}

function printFieldErrors(io: CliIO, fields: FieldErrors): void {
  for (const [field, problems] of Object.entries(fields)) {
    for (const problem of problems) io.stderr.write(`Error: ${field}: ${problem}\n`);
  }
}

/** Creates an active staff superuser; returns the process exit code. */
export async function runCreateSuperuser(argv: string[], io: CliIO): Promise<number> {
  let options: Record<string, string | boolean | undefined>;
  try {
    options = parseArgs({
      args: argv,
      options: {
        username: { type: 'string' },
        email: { type: 'string' },
        password: { type: 'string' },
        'first-name': { type: 'string' },
        'last-name': { type: 'string' },
        help: { type: 'boolean' },
      },
    }).values;
  } catch (error) {
    io.stderr.write(`Error: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (options.help) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const missing = (['username', 'email'] as const).filter((name) => typeof options[name] !== 'string');
  if (missing.length > 0) {
    io.stderr.write(`Error: missing ${missing.map((name) => `--${name}`).join(' and ')}\n${USAGE}\n`);
    return 2;
  }

  let config;
  try {
    config = loadConfig(io.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`${error.message}\n`);
    return 1;
  }

  let password = (options.password as string | undefined) ?? superuserPasswordFromEnv(io.env);
  if (password === undefined) {
    if (!io.stdin.isTTY) {
      io.stderr.write('Error: no password: pass --password, set SUPERUSER_PASSWORD, or run in a terminal.\n');
      return 1;
    }
    const [first, second] = await promptPasswordTwice(io);
    if (first !== second) {
      io.stderr.write("Error: the two passwords didn't match.\n");
      return 1;
    }
    password = first;
  }

  let database;
  try {
    database = await openDatabase(config.database, config.databaseTimeoutSeconds);
  } catch (error) {
    io.stderr.write(`Error: cannot open the database: ${(error as Error).message}\n`);
    return 1;
  }
  try {
    await database.migrate();
    const user = await createSuperuser(
      database.orm.em.fork(),
      {
        username: options.username as string,
        email: options.email as string,
        password,
        firstName: (options['first-name'] as string | undefined) ?? null,
        lastName: (options['last-name'] as string | undefined) ?? null,
      },
      { config, hasher: createPasswordHasher({ cost: config.bcryptCost, concurrency: 1, queueMax: 1 }) },
    );
    io.stdout.write(`Superuser "${user.username}" created (id ${user.id}).\n`);
    return 0;
  } catch (error) {
    if (error instanceof AppError && error.extensions.fields) {
      printFieldErrors(io, error.extensions.fields as FieldErrors);
      return 1;
    }
    io.stderr.write(`Error: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await database.close();
  }
}

if (require.main === module) {
  runCreateSuperuser(process.argv.slice(2), {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
  }).then((code) => process.exit(code));
}
