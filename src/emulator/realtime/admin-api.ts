// The realtime model's admin API, on the model's own port (http or https): each connection's record, faults (set,
// read, clear) and dropping open sockets. Loopback clients only unless `adminRemote`, as the ACS emulator's /admin.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isLoopback } from '../rest/hmac-auth.js';
import type { ConnectionRecord } from './connection-record.js';
import { parseFaults, type RealtimeFaults } from './faults.js';

/** What the admin API reads and changes. */
export interface AdminTarget {
  connections(): ConnectionRecord[];
  faults(): RealtimeFaults;
  setFaults(faults: RealtimeFaults): void;
  /** Drops one open connection, or all; returns the ids dropped. */
  drop(connectionId?: string, code?: number): string[];
}

const ROUTES = 'GET /admin/realtime/connections[/<id>], GET|POST|DELETE /admin/realtime/faults, POST /admin/realtime/drop';
const MAX_BODY = 64 * 1024;

/** A close code `ws` can send: 1000–1003, 1007–1014, 3000–4999. */
const isCloseCode = (c: unknown): c is number =>
  Number.isInteger(c) && (((c as number) >= 1000 && (c as number) <= 1014 && ![1004, 1005, 1006].includes(c as number)) || ((c as number) >= 3000 && (c as number) <= 4999));

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

const problem = (res: ServerResponse, status: number, code: string, message: string) => send(res, status, { error: { code, message } });

async function readJson(req: IncomingMessage): Promise<{ ok: true; value: unknown } | { ok: false; message: string }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return { ok: false, message: `the body is over ${MAX_BODY} bytes` };
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, message: `the body is not JSON: ${(e as Error).message}` };
  }
}

/** Answers one admin request. */
export async function handleAdmin(req: IncomingMessage, res: ServerResponse, target: AdminTarget, adminRemote: boolean): Promise<void> {
  const { pathname } = new URL(req.url ?? '/', 'http://x');
  const method = req.method ?? 'GET';
  if (!adminRemote && !isLoopback(req.socket.remoteAddress)) {
    return problem(res, 403, 'forbidden', `the admin API answers loopback clients only (this is ${req.socket.remoteAddress}); start the model with adminRemote to open it`);
  }
  if (pathname === '/admin/realtime/connections' && method === 'GET') return send(res, 200, { connections: target.connections() });
  const one = /^\/admin\/realtime\/connections\/([^/]+)$/.exec(pathname);
  if (one && method === 'GET') {
    const found = target.connections().find((r) => r.id === decodeURIComponent(one[1]));
    return found ? send(res, 200, found) : problem(res, 404, 'not_found', `no connection ${one[1]}`);
  }
  if (pathname === '/admin/realtime/faults') {
    if (method === 'GET') return send(res, 200, { faults: target.faults() });
    if (method === 'DELETE') {
      target.setFaults({});
      return send(res, 200, { faults: {} });
    }
    if (method === 'POST') {
      const body = await readJson(req);
      if (!body.ok) return problem(res, 400, 'invalid_body', body.message);
      const parsed = parseFaults(body.value);
      if (!parsed.ok) return problem(res, 400, 'invalid_fault', parsed.message);
      target.setFaults(parsed.faults);
      return send(res, 202, { faults: target.faults() });
    }
  }
  if (pathname === '/admin/realtime/drop' && method === 'POST') {
    const body = await readJson(req);
    if (!body.ok) return problem(res, 400, 'invalid_body', body.message);
    const { connectionId, code } = body.value as { connectionId?: unknown; code?: unknown };
    if (connectionId !== undefined && typeof connectionId !== 'string') return problem(res, 400, 'invalid_body', 'connectionId must be a string (omit it to drop every connection)');
    if (code !== undefined && !isCloseCode(code)) return problem(res, 400, 'invalid_body', 'code must be a WebSocket close code (1000–1003, 1007–1014, 3000–4999); omit it to cut the socket with no close frame');
    const dropped = target.drop(connectionId, code as number | undefined);
    if (connectionId !== undefined && dropped.length === 0) return problem(res, 404, 'not_found', `no open connection ${connectionId}`);
    return send(res, 202, { dropped });
  }
  problem(res, 404, 'not_found', `no admin route ${method} ${pathname}; admin: ${ROUTES}`);
}
