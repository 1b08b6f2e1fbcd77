// The dashboard, session API (talk-back!), recordings, live feed and metrics are ours, not ACS's: ACS's JWT does not
// cover them. With an API token set they need `Authorization: Bearer <token>` or the cookie a browser gets by opening
// `/?token=<token>` once (HttpOnly, SameSite=Strict, so another site cannot ride on it).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AcsAudioError, ErrorCode } from '../errors/index.js';

export const API_TOKEN_COOKIE = 'acs_audio_token';

/** Paths ACS (or a health probe) calls: they carry their own auth, or none is possible. */
const OPEN_PATHS = new Set(['/healthz', '/api/callbacks', '/api/incoming-call', '/ws']);

/** Checks requests against one API token. */
export interface ApiTokenGuard {
  /** True when the path needs no API token (ACS-facing routes, health). */
  isOpen(pathname: string): boolean;
  /** True when the request carries the token (header or cookie). */
  allows(req: IncomingMessage): boolean;
  /** `GET /?token=…` with the right token: sets the cookie and redirects to the same path without it. */
  acceptLogin(req: IncomingMessage, res: ServerResponse): boolean;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined; // a malformed cookie is no token: 401, not a 500
      }
    }
  }
  return undefined;
}

/** A guard for `token`; throws on a token too short to be a secret. */
export function createApiTokenGuard(token: string): ApiTokenGuard {
  if (token.length < 16) {
    throw new AcsAudioError(ErrorCode.BadOptions, `the API token must be at least 16 characters (got ${token.length}); generate one with: openssl rand -hex 24`);
  }
  const expected = digest(token);
  // Hash both sides so the comparison is constant-time whatever the candidate's length.
  const matches = (candidate: string | undefined) => candidate !== undefined && timingSafeEqual(digest(candidate), expected);
  return {
    isOpen: (pathname) => OPEN_PATHS.has(pathname),
    allows(req) {
      const header = req.headers.authorization;
      if (header?.startsWith('Bearer ') && matches(header.slice(7).trim())) return true;
      return matches(cookieValue(req.headers.cookie, API_TOKEN_COOKIE));
    },
    acceptLogin(req, res) {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const candidate = url.searchParams.get('token');
      if (req.method !== 'GET' || candidate === null || !matches(candidate)) return false;
      url.searchParams.delete('token');
      // One leading slash only: `//evil.example/` (from `/.//evil.example/`) would be another site to the browser.
      const path = '/' + url.pathname.replace(/^[/\\]+/, '');
      // Over https (directly or behind a tunnel that says so) the cookie must never travel in clear.
      const https = (req.socket as { encrypted?: boolean }).encrypted === true || req.headers['x-forwarded-proto'] === 'https';
      res.writeHead(303, {
        location: path + url.search,
        'set-cookie': `${API_TOKEN_COOKIE}=${encodeURIComponent(candidate)}; HttpOnly; SameSite=Strict; Path=/${https ? '; Secure' : ''}`,
      });
      res.end();
      return true;
    },
  };
}
