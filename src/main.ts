import 'reflect-metadata';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  const url = await app.listen();
  app.logger.info({ url, database: config.database.kind }, `GraphQL API ready at ${url}`);
  const shutdown = (signal: string) => {
    app.logger.info({ signal }, 'shutting down');
    app.close().then(
      () => process.exit(0),
      (error) => {
        app.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error) => {
  // One clear line for the operator; a configuration problem is not a crash.
  if (error instanceof ConfigError) console.error(error.message);
  else console.error(`Failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
