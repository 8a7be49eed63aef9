// Baseline (1) of the benchmark: a bare Apollo Server answering `{ hello }` through the project's
// own HTTP stack (node:http + createRequestHandler from dist/http/request-handler.js), in production settings.
// Whatever `me` costs above this is the app's own work: context, session lookup, SQL, resolvers.
//
// Reads PORT (default 0) and HOST (default 127.0.0.1); stops on SIGTERM/SIGINT.
import { createServer } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDisableSuggestions } from '@apollo/server/plugin/disableSuggestions';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import httpModule from '../dist/http/request-handler.js';
import loggerModule from '../dist/logger.js';

const { createRequestHandler } = httpModule;
const { createLogger } = loggerModule;

const port = Number(process.env.PORT ?? 0);
const host = process.env.HOST || '127.0.0.1';
const logger = createLogger('warn');

const server = createServer();
const apollo = new ApolloServer({
  typeDefs: 'type Query { hello: String }',
  resolvers: { Query: { hello: () => 'world' } },
  introspection: false,
  csrfPrevention: true,
  includeStacktraceInErrorResponses: false,
  plugins: [
    ApolloServerPluginDrainHttpServer({ httpServer: server }),
    ApolloServerPluginLandingPageDisabled(),
    ApolloServerPluginDisableSuggestions(),
  ],
});
await apollo.start();
server.on(
  'request',
  createRequestHandler(apollo, {
    logger,
    createContext: () => ({}),
    // Every option the handler takes (keep in step with src/http.ts; the smoke run fails if the
    // baseline cannot serve): no CORS origins, no proxy in front, no landing page, always ready.
    corsOrigins: [],
    trustProxyHops: 0,
    landingPage: false,
    isReady: async () => true,
    isDraining: () => false,
  }),
);
server.listen(port, host, () => {
  const address = server.address();
  logger.info({ port: address.port }, 'baseline server ready');
});

const shutdown = () => {
  apollo.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
