// The dashboard's built assets (web/dist), served offline from the package; a hint page when it was not built.
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerResponse } from 'node:http';

/** web/dist: two levels up from this module, both as src/server (tsx) and dist/server (built). */
export const WEB_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
};

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>acs-audio</title>
<body style="font:16px system-ui;margin:3em"><h1>The dashboard is not built</h1>
<p>Run <code>npm run build:web</code> (or <code>npm start</code>, which builds it) and reload.
The APIs work without it: <a href="/api/sessions">/api/sessions</a>, <a href="/metrics">/metrics</a>.</p></body>`;

/** Headers for every dashboard response: no framing (clickjacking), no sniffing, scripts from this server only. */
const HARDENING = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; " +
    "connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** Serves `/` and `/assets/*` from web/dist; returns false for other paths. */
export async function serveStatic(pathname: string, res: ServerResponse, root = WEB_DIST): Promise<boolean> {
  const relative = pathname === '/' || pathname === '/index.html' ? 'index.html' : pathname.startsWith('/assets/') ? pathname.slice(1) : undefined;
  if (relative === undefined) return false;
  const path = normalize(join(root, relative));
  if (!path.startsWith(normalize(root + sep)) && path !== normalize(join(root, 'index.html'))) return false;
  try {
    const body = await readFile(path);
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-cache', ...HARDENING });
    res.end(body);
  } catch {
    if (relative !== 'index.html') return false;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...HARDENING });
    res.end(NOT_BUILT);
  }
  return true;
}
