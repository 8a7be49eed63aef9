import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { MetricsConfig } from '../config-metrics';
import { loggableError } from '../errors';
import type { Logger } from '../logger';
import type { Metrics } from './metrics';

export const METRICS_PATH = '/metrics';

export type MetricsHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  const text = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Serves the exposition. With a token, only `Authorization: Bearer <token>` gets it: both sides
 * are hashed to one length and compared in constant time, so neither the token's length nor
 * how much of it a guess got right shows in the timing.
 */
export function createMetricsHandler(metrics: Metrics, config: MetricsConfig, logger: Logger): MetricsHandler {
  const expected = config.token === null ? null : digest(config.token);
  return async (req, res) => {
    res.setHeader('cache-control', 'no-store');
    if (expected) {
      const offered = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
      if (offered === undefined || !timingSafeEqual(digest(offered), expected)) {
        res.setHeader('www-authenticate', 'Bearer realm="metrics"');
        return sendError(res, 401, 'UNAUTHENTICATED', 'Send Authorization: Bearer <METRICS_TOKEN>.');
      }
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return sendError(res, 405, 'BAD_REQUEST', 'Use GET.');
    }
    try {
      const body = await metrics.registry.metrics();
      res.writeHead(200, {
        'content-type': metrics.registry.contentType,
        'content-length': Buffer.byteLength(body),
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (error) {
      logger.error({ err: loggableError(error) }, 'metrics collection failed');
      if (!res.headersSent) sendError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error.');
    }
  };
}

/** METRICS_PORT: a listener of its own that serves /metrics and nothing else. */
export function createMetricsServer(handler: MetricsHandler): Server {
  // A scrape sends no body: a client slower than this is not Prometheus.
  return createServer({ requestTimeout: 10_000, headersTimeout: 5_000 }, (req, res) => {
    res.setHeader('x-content-type-options', 'nosniff');
    if ((req.url ?? '/').split('?')[0] !== METRICS_PATH) {
      return sendError(res, 404, 'BAD_REQUEST', `Not found. Metrics are served at ${METRICS_PATH}.`);
    }
    void handler(req, res);
  });
}

export function listenOn(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
}

/** Scrapes are short and retried: the metrics listener closes at once, connections and all. */
export function closeNow(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  return closed;
}
