import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger';

// CORS from an explicit allow-list (CORS_ORIGINS), and a warning in the server log when a browser
// origin is refused, since the browser only tells the page's developer "blocked by CORS policy".

const ALLOWED_METHODS = 'GET, POST, OPTIONS';
const ALLOWED_HEADERS = [
  'authorization',
  'content-type',
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'x-request-id',
  // Apollo Client's clientAwareness sends these on every request.
  'apollographql-client-name',
  'apollographql-client-version',
].join(', ');
// Readable by page scripts: the id to quote in a bug report, and how long a throttled client waits.
const EXPOSED_HEADERS = 'x-request-id, retry-after';

/**
 * Remembers when each refused origin was last logged, so a page retrying in a loop gives one
 * warning a minute, not one per request. At most `maxOrigins` are remembered: when all of them
 * were logged within the interval, a further new origin is not logged (memory and log volume stay
 * bounded whatever Origin headers arrive).
 */
export class RefusalLogLimiter {
  private readonly lastLogged = new Map<string, number>();

  constructor(
    private readonly intervalMs = 60_000,
    private readonly maxOrigins = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when a refusal of this origin should be logged now (and records that it was). */
  shouldLog(origin: string): boolean {
    const now = this.now();
    const last = this.lastLogged.get(origin);
    if (last !== undefined && now - last < this.intervalMs) return false;
    // Re-inserting keeps the map ordered by last log time, so expired entries are at the front.
    this.lastLogged.delete(origin);
    for (const [known, at] of this.lastLogged) {
      if (now - at < this.intervalMs) break;
      this.lastLogged.delete(known);
    }
    if (this.lastLogged.size >= this.maxOrigins) return false;
    this.lastLogged.set(origin, now);
    return true;
  }

  get size(): number {
    return this.lastLogged.size;
  }
}

/** The page's own origin: browsers send Origin on same-origin POSTs too (e.g. the explorer's). */
function isSameOrigin(req: IncomingMessage, origin: string): boolean {
  // The usual spelling is compared as text; only another one is parsed.
  const host = req.headers.host;
  if (host !== undefined && (origin === `http://${host}` || origin === `https://${host}`)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

export type CorsHandler = (req: IncomingMessage, res: ServerResponse) => 'preflight' | 'refused-preflight' | null;

/**
 * Sets CORS headers for an allowed Origin and answers a preflight (OPTIONS) itself, saying which
 * it did (null: carry on with the request). Tokens travel in a header, not a cookie, so
 * credentials are never allowed.
 */
export function createCorsHandler(allowedOrigins: readonly string[], logger: Logger): CorsHandler {
  const limiter = new RefusalLogLimiter();
  const allowList = new Set(allowedOrigins);
  return (req, res) => {
    const origin = req.headers.origin;
    res.setHeader('vary', 'Origin');
    const allowed = origin !== undefined && allowList.has(origin);
    const refused = origin !== undefined && !allowed && !isSameOrigin(req, origin);
    const preflight = req.method === 'OPTIONS';
    if (allowed) {
      res.setHeader('access-control-allow-origin', origin);
      if (!preflight) res.setHeader('access-control-expose-headers', EXPOSED_HEADERS);
    } else if (refused) {
      const shown = origin.slice(0, 200);
      if (limiter.shouldLog(shown)) {
        logger.warn(
          { origin: shown, method: req.method, path: req.url?.split('?')[0] },
          `CORS: refused the browser origin ${shown}. To allow it, add it to CORS_ORIGINS ` +
            '(a comma-separated list of origins, e.g. CORS_ORIGINS=http://localhost:5173,https://app.example.com). ' +
            'Repeats of this origin are not logged for a minute.',
        );
      }
    }
    if (!preflight) return null;
    if (allowed) {
      res.setHeader('access-control-allow-methods', ALLOWED_METHODS);
      res.setHeader('access-control-allow-headers', ALLOWED_HEADERS);
      res.setHeader('access-control-max-age', '600');
    }
    res.statusCode = 204;
    res.end();
    return refused ? 'refused-preflight' : 'preflight';
  };
}
