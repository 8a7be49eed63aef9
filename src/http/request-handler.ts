import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { Context, RequestInfo } from '../context';
import { loggableError } from '../errors';
import { EXPLORER_ASSETS_PATH, explorerChoice, sendExplorerAsset, sendExplorerPage } from './explorer';
import { createCorsHandler } from './cors';
import { applySecurityHeaders, clientIp } from './security';
import type { Logger } from '../logger';

export const BODY_LIMIT_BYTES = 100 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] });
}

/**
 * The body, up to `limit` bytes. Read with plain 'data'/'end' events: a stream's async iterator
 * costs several promises per chunk, on every request.
 */
function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return Promise.reject(new HttpError(413, `The request body is larger than ${limit} bytes.`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.resume();
        reject(new HttpError(413, `The request body is larger than ${limit} bytes.`));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () =>
      resolve(chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8')),
    );
    req.once('error', reject);
  });
}

function parseBody(req: IncomingMessage, text: string): unknown {
  const contentType = req.headers['content-type'] ?? '';
  if (!/^application\/(graphql-response\+)?json\b/i.test(contentType)) return text;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'The request body is not valid JSON.');
  }
}

/** Node keeps only the first of repeated Authorization headers; an ambiguous request is refused. */
function countHeader(req: IncomingMessage, name: string): number {
  let count = 0;
  for (let index = 0; index < req.rawHeaders.length; index += 2) {
    if (req.rawHeaders[index].toLowerCase() === name) count++;
  }
  return count;
}

const JWKS_PATH = '/.well-known/jwks.json';

/** The usual request (`POST /graphql`) is answered without building a URL object. */
function parseUrl(raw: string | undefined): { pathname: string; search: string } {
  if (raw === '/graphql') return { pathname: raw, search: '' };
  const { pathname, search } = new URL(raw ?? '/', 'http://localhost');
  return { pathname, search };
}

/**
 * Public keys, for any origin to read (they are public, and verifiers may be browser apps); a
 * verifier may cache them for less than the time between a key's publication and its first use.
 */
function sendJwks(
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  jwks: { body: unknown; maxAgeSeconds: number },
) {
  res.setHeader('access-control-allow-origin', '*');
  res.setHeader('cross-origin-resource-policy', 'cross-origin');
  if (method === 'OPTIONS') {
    res.setHeader('access-control-allow-methods', 'GET, HEAD, OPTIONS');
    res.statusCode = 204;
    return void res.end();
  }
  if (method !== 'GET' && method !== 'HEAD') return sendError(res, 405, 'Use GET.');
  res.setHeader('cache-control', `public, max-age=${jwks.maxAgeSeconds}`);
  sendJson(res, 200, jwks.body);
}

/**
 * GraphQL over HTTP on node:http: the body limit, malformed JSON and header checks are answered
 * here with a 4xx before Apollo sees the request; Apollo does the rest (CSRF prevention, GET
 * without mutations, the Apollo Sandbox landing page); the GraphiQL explorer is served from here.
 */
export function createRequestHandler(
  apollo: ApolloServer<Context>,
  options: {
    logger: Logger;
    createContext(request: RequestInfo): Context;
    corsOrigins: readonly string[];
    trustProxyHops: number;
    landingPage: boolean;
    /** Database reachable, migrations applied, not shutting down. */
    isReady(): Promise<boolean>;
    /** Shutting down: answer, but ask the client not to reuse the connection. */
    isDraining?(): boolean;
    /** The public signing keys, served at /.well-known/jwks.json. */
    jwks?(): { body: unknown; maxAgeSeconds: number };
    /** Metrics on (METRICS_*): each GraphQL request's end, and /metrics on this port (token mode). */
    observeOperation?(operationName: string | null | undefined, seconds: number, failed: boolean): void;
    metricsEndpoint?(req: IncomingMessage, res: ServerResponse): Promise<void>;
  },
) {
  const handleCors = createCorsHandler(options.corsOrigins, options.logger);
  // The access line holds only the fixed fields below, none of which can carry a secret, so it
  // skips the logger's redaction pass (about 12 µs a line, on every request).
  const accessLog = options.logger.child({}, { redact: [] });
  const { observeOperation, metricsEndpoint } = options;
  return async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    // A caller's id is kept (tracing across services) only when it is plainly an id.
    const offered = req.headers['x-request-id'];
    const requestId = typeof offered === 'string' && /^[\w.:-]{1,128}$/.test(offered) ? offered : randomUUID();
    res.setHeader('x-request-id', requestId);
    if (options.isDraining?.()) res.setHeader('connection', 'close');
    const log: RequestInfo['log'] = {};
    let executed = false;
    // 'close' fires for every response, also when the client went away before it was complete.
    res.once('close', () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      if (executed && observeOperation) {
        const failed = !res.writableFinished || (log.outcome ? log.outcome !== 'OK' : res.statusCode >= 400);
        observeOperation(log.operationName, durationMs / 1000, failed);
      }
      // Never the Authorization header, the body or the variables: only what identifies the request.
      accessLog.info(
        {
          requestId,
          method: req.method,
          path: req.url?.split('?')[0],
          status: res.statusCode,
          durationMs: Math.round(durationMs * 10) / 10,
          operationName: log.operationName ?? null,
          outcome: !res.writableFinished
            ? 'CLIENT_CLOSED'
            : (log.outcome ?? (res.statusCode < 400 ? 'OK' : `HTTP_${res.statusCode}`)),
        },
        'request',
      );
    });
    try {
      const url = parseUrl(req.url);
      const method = (req.method ?? 'GET').toUpperCase();
      // Outside production a browser opening the endpoint gets an explorer (see explorer.ts).
      const browserPage =
        options.landingPage &&
        method === 'GET' &&
        url.pathname === '/graphql' &&
        /text\/html/.test(req.headers.accept ?? '')
          ? explorerChoice(url.search)
          : null;
      const explorerAsset =
        options.landingPage && (method === 'GET' || method === 'HEAD') && url.pathname.startsWith(EXPLORER_ASSETS_PATH);
      applySecurityHeaders(res, browserPage ?? (explorerAsset ? 'graphiql' : 'api'));
      if (url.pathname === JWKS_PATH && options.jwks) return sendJwks(req, res, method, options.jwks());
      if (metricsEndpoint && url.pathname === '/metrics') return await metricsEndpoint(req, res);
      const preflight = handleCors(req, res);
      if (preflight) {
        // The access line of a refused preflight says so, instead of an ordinary OK.
        if (preflight === 'refused-preflight') log.outcome = 'CORS_REFUSED';
        return;
      }
      if (explorerAsset) return await sendExplorerAsset(req, res, url.pathname.slice(EXPLORER_ASSETS_PATH.length));
      if (url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
      if (url.pathname === '/readyz') {
        const ready = await options.isReady();
        return sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'unavailable' });
      }
      if (url.pathname !== '/graphql') return sendError(res, 404, 'Not found. The API is served at /graphql.');
      if (browserPage === 'graphiql') return sendExplorerPage(res);
      if (countHeader(req, 'authorization') > 1) {
        return sendError(res, 400, 'Send at most one Authorization header.');
      }
      const body = method === 'POST' ? parseBody(req, await readBody(req, BODY_LIMIT_BYTES)) : undefined;
      const headers = new HeaderMap();
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      }
      const request: RequestInfo = {
        authorization: req.headers.authorization,
        userAgent: req.headers['user-agent'] ?? null,
        ip: clientIp(req, options.trustProxyHops),
        log,
      };
      executed = true;
      const response = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method, headers, search: url.search, body },
        context: async () => options.createContext(request),
      });
      for (const [name, value] of response.headers) res.setHeader(name, value);
      res.statusCode = response.status ?? 200;
      if (response.body.kind === 'complete') {
        res.end(response.body.string);
      } else {
        for await (const chunk of response.body.asyncIterator) res.write(chunk);
        res.end();
      }
    } catch (error) {
      if (error instanceof HttpError) {
        if (error.status === 413) res.setHeader('connection', 'close');
        return sendError(res, error.status, error.message);
      }
      // A client that hangs up mid-request is not a server fault: the access line says CLIENT_CLOSED.
      if (req.destroyed || res.destroyed) return;
      options.logger.error({ err: loggableError(error) }, 'request failed');
      if (!res.headersSent)
        sendJson(res, 500, {
          errors: [{ message: 'Internal server error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
        });
      else res.destroy();
    }
  };
}
