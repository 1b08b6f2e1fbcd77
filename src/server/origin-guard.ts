// A web page the operator visits must not reach the dashboard's server through the operator's browser: not by
// opening the live feed (audio!) from another origin, not by a "simple" cross-origin POST no browser preflights,
// not by DNS rebinding (an attacker's name that resolves to this server, caught by the Host check).
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

/** Routes ACS and health probes call: no browser is involved, and their Host is whatever the tunnel says. */
const ACS_PATHS = new Set(['/healthz', '/api/callbacks', '/api/incoming-call', '/ws']);
/** Content types a browser sends cross-origin without a preflight. */
const SIMPLE_TYPES = /^\s*(text\/plain|application\/x-www-form-urlencoded|multipart\/form-data)\b/i;

export interface OriginGuardOptions {
  /** The listening host (from --host). */
  host?: string;
  /** The public URL (from --public-url): its host is ours too. */
  publicUrl?: string;
  /** Further origins allowed to use the dashboard's API and live feed (from --allowed-origin). */
  allowedOrigins?: readonly string[];
}

export interface Refusal {
  status: 403 | 415;
  code: 'host_not_allowed' | 'origin_not_allowed' | 'content_type_not_allowed';
  message: string;
}

function hostName(hostHeader: string): string {
  // `[::1]:8080` → `::1`, `example.com:8080` → `example.com`.
  if (hostHeader.startsWith('[')) return hostHeader.slice(1, hostHeader.indexOf(']'));
  const colon = hostHeader.lastIndexOf(':');
  return (colon > 0 ? hostHeader.slice(0, colon) : hostHeader).toLowerCase();
}

export function createOriginGuard(options: OriginGuardOptions) {
  const names = new Set(['localhost']);
  if (options.host) names.add(options.host.toLowerCase());
  const origins = new Set<string>();
  for (const url of [options.publicUrl, ...(options.allowedOrigins ?? [])]) {
    if (!url) continue;
    const parsed = new URL(url);
    names.add(parsed.hostname.replace(/^\[|\]$/g, '').toLowerCase());
    origins.add(parsed.origin);
  }
  return {
    /** Why a browser-facing request must be refused, or undefined when it may go on. */
    check(req: IncomingMessage, pathname: string): Refusal | undefined {
      if (ACS_PATHS.has(pathname)) return undefined;
      const host = req.headers.host ?? '';
      const name = hostName(host);
      if (!names.has(name) && isIP(name) === 0 && !name.endsWith('.localhost')) {
        return { status: 403, code: 'host_not_allowed', message: `Host "${host}" is not this server's; use its address or --public-url, or add --allowed-origin.` };
      }
      const origin = req.headers.origin;
      const sameOrigin = origin !== undefined && (origin === `http://${host}` || origin === `https://${host}`);
      if (origin !== undefined && !sameOrigin && !origins.has(origin)) {
        return { status: 403, code: 'origin_not_allowed', message: `Origin ${origin} may not use this server; allow it with --allowed-origin ${origin}.` };
      }
      const method = req.method ?? 'GET';
      if (method !== 'GET' && method !== 'HEAD' && SIMPLE_TYPES.test(req.headers['content-type'] ?? '')) {
        return { status: 415, code: 'content_type_not_allowed', message: 'Send JSON (application/json) or audio (audio/wav); form and text/plain bodies are refused.' };
      }
      return undefined;
    },
  };
}
