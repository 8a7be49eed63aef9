import 'reflect-metadata';
import { grantByName } from '../modules/permission/grant.service';
import { loadCliConfig, printUsage, runAsMain, usageError, withDatabase, type CliIO } from './cli-runner';

const USAGE = `Usage: npm run grant -- <username> <codename|group>...
Gives the user each permission (a codename such as users.view_user) and membership of each group
(by name, ignoring case), adding to what they already hold. Naming the group Staff makes the
account staff. Nothing is written if any name is unknown.`;

/** The first set-up without the API; returns the process exit code. */
export async function runGrant(argv: string[], io: CliIO): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) return printUsage(io, USAGE);
  const [username, ...names] = argv;
  if (!username || names.length === 0) {
    return usageError(io, 'name a user and at least one permission or group.', USAGE);
  }
  const config = loadCliConfig(io);
  if (!config) return 1;

  return withDatabase(io, config, async (database) => {
    await database.migrate();
    const result = await grantByName(database.orm.em.fork(), username, names);
    for (const problem of result.problems) io.stderr.write(`Error: ${problem}\n`);
    if (result.problems.length > 0) return 1;
    io.stdout.write(`Granted to ${username}: ${result.granted.join(', ')}.\n`);
    return 0;
  });
}

if (require.main === module) runAsMain(runGrant);
