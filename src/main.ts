import 'reflect-metadata';
import { createApp, type App } from './app';
import { ConfigError, loadConfig, type Config } from './config';

/** One line an operator can act on, never a stack trace (and never the database URL). */
function describeStartupError(error: unknown, config: Config | null): string {
  if (error instanceof ConfigError) return error.message;
  const { code, message } = error as NodeJS.ErrnoException;
  if (code === 'EADDRINUSE' && config)
    return `Failed to start: port ${config.port} on ${config.host} is already in use.`;
  if (code === 'EACCES' && config) return `Failed to start: not allowed to listen on ${config.host}:${config.port}.`;
  if (
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'ETIMEDOUT' ||
    /connect|timeout/i.test(message ?? '')
  ) {
    return `Failed to start: cannot reach the database (${message}).`;
  }
  return `Failed to start: ${message ?? String(error)}`;
}

async function main(): Promise<void> {
  let config: Config | null = null;
  let app: App | null = null;
  try {
    config = loadConfig();
    app = await createApp(config);
    const url = await app.listen();
    app.logger.info({ url, database: config.database.kind }, `GraphQL API ready at ${url}`);
  } catch (error) {
    console.error(describeStartupError(error, config));
    await app?.close().catch(() => undefined);
    process.exit(1);
  }
  const running = app;
  let stopping = false;
  const shutdown = (signal: string) => {
    // A second signal means "now": leave without waiting for the drain.
    if (stopping) process.exit(1);
    stopping = true;
    running.logger.info({ signal }, 'shutting down: draining in-flight requests');
    running.close().then(
      () => {
        running.logger.info('stopped cleanly');
        running.logger.flush();
        process.exit(0);
      },
      (error) => {
        running.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

void main();
