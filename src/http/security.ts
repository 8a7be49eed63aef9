import { isIP } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

// Response hardening shared by every route: security headers (helmet) and the client address used
// by the login throttle. CORS is in cors.ts.

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

const APOLLO_CDN = 'https://apollo-server-landing-page.cdn.apollographql.com';

// JSON answers need no content at all; the Sandbox landing page loads Apollo's embed.
const apiHeaders: Middleware = helmet({
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
}) as Middleware;
const landingPageHeaders: Middleware = helmet({
  crossOriginEmbedderPolicy: false,
  contentSecurityPolicy: {
    directives: {
      scriptSrc: ["'self'", "'unsafe-inline'", 'https://embeddable-sandbox.cdn.apollographql.com', APOLLO_CDN],
      styleSrc: ["'self'", "'unsafe-inline'", 'https://fonts.googleapis.com', APOLLO_CDN],
      imgSrc: ["'self'", 'data:', APOLLO_CDN],
      fontSrc: ["'self'", 'https://fonts.gstatic.com'],
      manifestSrc: ["'self'", APOLLO_CDN],
      frameSrc: ["'self'", 'https://sandbox.embed.apollographql.com'],
    },
  },
}) as Middleware;

// The offline explorer (GraphiQL, see explorer.ts) and its files: everything from this server, no
// other host. Monaco and GraphiQL set inline styles; Monaco's workers are files of the bundle.
// No upgrade-insecure-requests: over plain http on a LAN address it would send the page's own
// script and style requests to an https port that does not exist.
const explorerHeaders: Middleware = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      baseUri: ["'self'"],
      connectSrc: ["'self'"],
      fontSrc: ["'self'", 'data:'],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      imgSrc: ["'self'", 'data:'],
      objectSrc: ["'none'"],
      scriptSrc: ["'self'"],
      scriptSrcAttr: ["'none'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      workerSrc: ["'self'"],
    },
  },
}) as Middleware;

/** What a response is: API (JSON), the GraphiQL explorer (page or file), or the Apollo Sandbox page. */
export type ResponseKind = 'api' | 'graphiql' | 'sandbox';

/** What a helmet middleware does to a response: headers set, and headers removed. */
interface HeaderPlan {
  set: [string, string][];
  remove: string[];
}

/**
 * helmet's policies here are constants (no per-request nonce), so each is run once at start
 * against a recording response and replayed per request: the same headers, without rebuilding
 * the Content-Security-Policy string on every request.
 */
function recordHeaders(middleware: Middleware): HeaderPlan {
  const plan: HeaderPlan = { set: [], remove: [] };
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      plan.set.push([name, String(value)]);
    },
    removeHeader(name: string) {
      plan.remove.push(name);
    },
  };
  let failure: unknown;
  middleware({} as IncomingMessage, recorder as unknown as ServerResponse, (error) => (failure = error));
  if (failure) throw failure;
  return plan;
}

/** API answers (a user's data, tokens) are never stored by a browser or a shared cache. */
function noStore(plan: HeaderPlan): HeaderPlan {
  return { ...plan, set: [...plan.set, ['cache-control', 'no-store']] };
}

const headersFor: Record<ResponseKind, HeaderPlan> = {
  api: noStore(recordHeaders(apiHeaders)),
  graphiql: recordHeaders(explorerHeaders),
  sandbox: recordHeaders(landingPageHeaders),
};

export function applySecurityHeaders(res: ServerResponse, kind: ResponseKind): void {
  const plan = headersFor[kind];
  for (let index = 0; index < plan.set.length; index++) res.setHeader(plan.set[index][0], plan.set[index][1]);
  for (let index = 0; index < plan.remove.length; index++) res.removeHeader(plan.remove[index]);
}

function normalizeIp(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/**
 * The client's address. X-Forwarded-For is believed only for the configured number of proxy
 * hops, read from the right (the entries our own proxies appended): anything further left was
 * written by the client and could be forged to dodge the throttle.
 */
export function clientIp(req: IncomingMessage, trustedHops: number): string {
  const peer = normalizeIp(req.socket.remoteAddress ?? 'unknown');
  const forwarded = req.headers['x-forwarded-for'];
  if (trustedHops === 0 || forwarded === undefined) return peer;
  const chain = (Array.isArray(forwarded) ? forwarded.join(',') : forwarded)
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const candidate = chain[Math.max(0, chain.length - trustedHops)];
  return candidate && isIP(candidate) ? normalizeIp(candidate) : peer;
}
