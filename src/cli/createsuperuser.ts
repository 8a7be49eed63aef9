import 'reflect-metadata';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { superuserPasswordFromEnv } from '../config';
import { AppError, type FieldErrors } from '../errors';
import { createPasswordHasher } from '../lib/password-hash';
import { createSuperuser } from '../modules/admin/superuser.service';
import { loadCliConfig, printUsage, runAsMain, usageError, withDatabase, type CliIO } from './cli-runner';

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
    return usageError(io, (error as Error).message, USAGE);
  }
  if (options.help) return printUsage(io, USAGE);
  const missing = (['username', 'email'] as const).filter((name) => typeof options[name] !== 'string');
  if (missing.length > 0) {
    return usageError(io, `missing ${missing.map((name) => `--${name}`).join(' and ')}`, USAGE);
  }
  const config = loadCliConfig(io);
  if (!config) return 1;

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

  const input = {
    username: options.username as string,
    email: options.email as string,
    password,
    firstName: (options['first-name'] as string | undefined) ?? null,
    lastName: (options['last-name'] as string | undefined) ?? null,
  };
  return withDatabase(io, config, async (database) => {
    await database.migrate();
    try {
      const user = await createSuperuser(database.orm.em.fork(), input, {
        config,
        hasher: createPasswordHasher({ cost: config.bcryptCost, concurrency: 1, queueMax: 1 }),
      });
      io.stdout.write(`Superuser "${user.username}" created (id ${user.id}).\n`);
      return 0;
    } catch (error) {
      // The registration rules' findings, one line each; anything else is withDatabase's to print.
      if (!(error instanceof AppError && error.extensions.fields)) throw error;
      printFieldErrors(io, error.extensions.fields as FieldErrors);
      return 1;
    }
  });
}

if (require.main === module) runAsMain(runCreateSuperuser);
