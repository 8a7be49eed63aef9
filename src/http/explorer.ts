import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve } from 'node:path';

// The offline GraphQL explorer: GraphiQL, bundled at build time from explorer/ into dist/explorer/
// (scripts/build-explorer.mjs) and served from here, so a browser with no internet still gets a
// working page. Apollo Sandbox, which loads from Apollo's CDN, stays one link away (?sandbox).

/** Where the build puts the bundle: the same directory whether this file runs from src/ or dist/. */
export const EXPLORER_ASSETS_DIR = resolve(__dirname, '..', '..', 'dist', 'explorer');
export const EXPLORER_ASSETS_PATH = '/graphql/explorer/';

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.svg': 'image/svg+xml',
};

/** Which page a browser's GET of the endpoint gets: GraphiQL, or Apollo Sandbox when asked for. */
export function explorerChoice(search: string): 'graphiql' | 'sandbox' {
  return new URLSearchParams(search).has('sandbox') ? 'sandbox' : 'graphiql';
}

// Relative URLs: the page also works behind a proxy that serves the API under a path prefix.
const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>authapi · GraphiQL</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="graphql/explorer/explorer.css" />
    <style>
      html, body, #explorer { height: 100%; margin: 0; }
    </style>
  </head>
  <body>
    <div id="explorer"><noscript>The explorer needs JavaScript.</noscript></div>
    <script src="graphql/explorer/explorer.js"></script>
  </body>
</html>
`;

// Without the bundle (sources run directly, never built) the page would stay blank: say why instead.
const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>authapi · explorer not built</title>
    <link rel="icon" href="data:," />
  </head>
  <body>
    <p>The explorer's files are not built. Run <code>npm run build</code> (or <code>npm start</code>), then reload.</p>
    <p>Meanwhile, <a href="?sandbox">Apollo Sandbox</a> works when this browser can reach Apollo's CDN.</p>
  </body>
</html>
`;

export function sendExplorerPage(res: ServerResponse): void {
  const page = existsSync(join(EXPLORER_ASSETS_DIR, 'explorer.js')) ? PAGE : NOT_BUILT_PAGE;
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(page),
    'cache-control': 'no-cache',
  });
  res.end(page);
}

/**
 * Serves one file of the bundle. Only plain file names are looked up (no "/" or ".."), so nothing
 * outside the bundle's directory can be named. Revalidated on every load (ETag), since the
 * names carry no hash.
 */
export async function sendExplorerAsset(req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
  const contentType = CONTENT_TYPES[extname(name)];
  const file = /^[\w-]+(\.[\w-]+)*$/.test(name) && contentType ? join(EXPLORER_ASSETS_DIR, name) : null;
  const info = file ? await stat(file).catch(() => null) : null;
  if (!file || !info?.isFile()) {
    const message = `Not found. The explorer's files are built by "npm run build" into dist/explorer/.`;
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(message) });
    res.end(message);
    return;
  }
  const etag = `"${info.size.toString(36)}-${Math.floor(info.mtimeMs).toString(36)}"`;
  res.setHeader('etag', etag);
  res.setHeader('cache-control', 'no-cache');
  if (req.headers['if-none-match'] === etag) {
    res.statusCode = 304;
    res.end();
    return;
  }
  res.writeHead(200, { 'content-type': contentType, 'content-length': info.size });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await new Promise<void>((done, fail) => {
    createReadStream(file).on('error', fail).pipe(res).on('finish', done).on('close', done);
  });
}
