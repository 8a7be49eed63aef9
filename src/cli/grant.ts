import 'reflect-metadata';
import { ConfigError, loadConfig } from '../config';
import { openDatabase } from '../db/database';
import { grantByName } from '../modules/permission/grant.service';
import type { CliIO } from './createsuperuser';

const USAGE = `Usage: npm run grant -- <username> <codename|group>...
Gives the user each permission (a codename such as users.view_user) and membership of each group
(by name, ignoring case), adding to what they already hold. Naming the group Staff makes the
account staff. Nothing is written if any name is unknown.`;

/** The first set-up without the API; returns the process exit code. */
export async function runGrant(argv: string[], io: CliIO): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [username, ...names] = argv;
  if (!username || names.length === 0) {
    io.stderr.write(`Error: name a user and at least one permission or group.\n${USAGE}\n`);
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

  let database;
  try {
    database = await openDatabase(config.database, config.databaseTimeoutSeconds);
  } catch (error) {
    io.stderr.write(`Error: cannot open the database: ${(error as Error).message}\n`);
    return 1;
  }
  try {
    await database.migrate();
    const result = await grantByName(database.orm.em.fork(), username, names);
    for (const problem of result.problems) io.stderr.write(`Error: ${problem}\n`);
    if (result.problems.length > 0) return 1;
    io.stdout.write(`Granted to ${username}: ${result.granted.join(', ')}.\n`);
    return 0;
  } catch (error) {
    io.stderr.write(`Error: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await database.close();
  }
}

if (require.main === module) {
  runGrant(process.argv.slice(2), {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
  }).then((code) => process.exit(code));
}
