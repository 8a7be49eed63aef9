import { ConfigError, loadConfig, type Config } from '../config';
import { openDatabase, type Database } from '../db/database';

// What every command line tool does the same way: usage, configuration, the database, exit codes
// (0 done, 1 failed, 2 called wrongly). Each command keeps only its own arguments and work.

export interface CliIO {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** The environment to read (tests pass their own); the process's when absent. */
  env?: Record<string, string | undefined>;
}

/** A command as tests call it: arguments and streams in, the process exit code out. */
export type CliCommand = (argv: string[], io: CliIO) => Promise<number>;

/** Runs `command` on this process's arguments and streams, then exits with its code. */
export function runAsMain(command: CliCommand): void {
  command(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }).then(
    (code) => process.exit(code),
  );
}

/** The answer to --help: the usage on stdout, exit code 0. */
export function printUsage(io: CliIO, usage: string): number {
  io.stdout.write(`${usage}\n`);
  return 0;
}

/** Called wrongly: the problem and the usage on stderr, exit code 2. */
export function usageError(io: CliIO, problem: string, usage: string): number {
  io.stderr.write(`Error: ${problem}\n${usage}\n`);
  return 2;
}

/** The configuration from io.env; null once every problem in it has been printed (exit 1). */
export function loadCliConfig(io: CliIO): Config | null {
  try {
    return loadConfig(io.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`${error.message}\n`);
    return null;
  }
}

/**
 * Opens the database, runs `work` on it and closes it; returns work's exit code. A database that
 * cannot be opened, or work that throws, is one "Error: …" line and exit code 1.
 */
export async function withDatabase(
  io: CliIO,
  config: Config,
  work: (database: Database) => Promise<number>,
): Promise<number> {
  let database;
  try {
    database = await openDatabase(config.database, config.databaseTimeoutSeconds);
  } catch (error) {
    io.stderr.write(`Error: cannot open the database: ${(error as Error).message}\n`);
    return 1;
  }
  try {
    return await work(database);
  } catch (error) {
    io.stderr.write(`Error: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await database.close();
  }
}

/**
 * For the operators' scripts (migrate, rotate-signing-key) that throw on failure: a bad
 * configuration prints its problems, anything else one "<failure>: …" line; both exit 1.
 */
export function runScript(failure: string, main: () => Promise<void>): void {
  // Through an async function, so that what main throws before its first await is caught too.
  (async () => main())().catch((error) => {
    console.error(
      error instanceof ConfigError ? error.message : `${failure}: ${error instanceof Error ? error.message : error}`,
    );
    process.exit(1);
  });
}

/** Opens the database for `work` and closes it after, whatever work does. */
export async function usingDatabase<T>(config: Config, work: (database: Database) => Promise<T>): Promise<T> {
  const database = await openDatabase(config.database, config.databaseTimeoutSeconds);
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}
