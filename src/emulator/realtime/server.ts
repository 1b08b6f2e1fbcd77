// createRealtimeModel: a local stand-in for an OpenAI Realtime model (OpenAI, Azure OpenAI). One port serves ws://
// and wss:// (the first byte of a connection says whether it is a TLS handshake), the three URL shapes clients use,
// key checks at the upgrade (401 + JSON error body), faults at the upgrade, and the admin API (admin-api.ts).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { listFixtures, loadFixture } from '../engine/index.js';
import { handleAdmin } from './admin-api.js';
import type { RealtimeFaults } from './faults.js';
import { knownFixture, type KnownSpeech } from './known-speech.js';
import type { ConnectionRecord } from './connection-record.js';
import { loadClips, type RealtimeScript } from './script.js';
import { RealtimeConnection } from './session.js';

export interface RealtimeModelOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 0 (a free port) */
  port?: number;
  /** The key clients must present (api-key header/query, or Authorization: Bearer). @default random */
  apiKey?: string;
  /** PEM paths; default: a self-signed certificate for localhost/127.0.0.1 made at start with openssl. */
  tlsCert?: string;
  tlsKey?: string;
  /** What the model answers. @default greet, then the bundled replies in turn */
  script?: RealtimeScript;
  /** Emit the preview (beta) event names older Azure deployments send. @default 'ga' */
  eventNames?: 'ga' | 'beta';
  /** Faults on demand; also settable later with setFaults() or POST /admin/realtime/faults. */
  faults?: RealtimeFaults;
  /** Serve the admin API (/admin/realtime/*) to non-loopback clients too. @default false */
  adminRemote?: boolean;
}

export interface RealtimeModel {
  listen(): Promise<{ url: string; wssUrl: string }>;
  close(): Promise<void>;
  readonly apiKey: string;
  /** ws://host:port (OpenAI path: /v1/realtime?model=…; Azure: /openai/realtime?deployment=… or /openai/v1/realtime?model=…). */
  readonly url: string;
  readonly wssUrl: string;
  /** PEM of the certificate served on wss:// (pass as `ca`). */
  readonly certPem: string;
  readonly certPath: string;
  /** Replaces the faults (`{}` clears them); open connections see the change at their next response. */
  setFaults(faults: RealtimeFaults): void;
  /** The faults now set (what is left of one-shot ones). */
  faults(): RealtimeFaults;
  /** Drops one open connection, or all: closed with `code`, or cut with no close frame (the client sees 1006). Returns the ids dropped. */
  drop(connectionId?: string, code?: number): string[];
  connections(): ConnectionRecord[];
  connection(id: string): ConnectionRecord | undefined;
}

function makeCert(): { certPath: string; keyPath: string } {
  const dir = mkdtempSync(join(tmpdir(), 'acs-realtime-tls-'));
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  // Node's crypto makes keys but not X.509 certificates; openssl is on every machine this runs on (documented).
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyPath, '-out', certPath,
    '-days', '30', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1'], { stdio: 'ignore' });
  return { certPath, keyPath };
}

/** The service's error body for a refused upgrade, with the type its status goes with. */
function errorBody(status: number, code: string, message: string): string {
  const type = status === 429 ? 'requests' : status >= 500 ? 'server_error' : 'invalid_request_error';
  return JSON.stringify({ error: { type, code, message, param: null, event_id: null } });
}

const REFUSALS: Record<number, { code: string; message: string }> = {
  429: { code: 'rate_limit_exceeded', message: 'Rate limit reached for requests (fault injected). Please retry after 1s.' },
  500: { code: 'server_error', message: 'The server had an error while processing your request (fault injected).' },
  503: { code: 'service_unavailable', message: 'The model is refusing connections (fault injected); retry later.' },
};

/** Returns the model name a URL asks for, or an error message if the path is not one the service serves. */
export function routeOf(url: URL): { model: string } | { error: string } {
  const p = url.pathname.replace(/\/+$/, '');
  const q = url.searchParams;
  if (p === '/v1/realtime' || p === '/openai/v1/realtime') {
    const model = q.get('model');
    return model ? { model } : { error: `${p} needs ?model=<model or deployment>` };
  }
  if (p === '/openai/realtime') {
    const deployment = q.get('deployment') ?? q.get('model');
    if (!q.get('api-version')) return { error: '/openai/realtime needs ?api-version=…&deployment=…' };
    return deployment ? { model: deployment } : { error: '/openai/realtime needs ?deployment=<deployment>' };
  }
  return { error: `no realtime endpoint at ${p}: use /v1/realtime?model=…, /openai/v1/realtime?model=… or /openai/realtime?api-version=…&deployment=…` };
}

function keyOf(req: IncomingMessage, url: URL): string | undefined {
  const header = req.headers['api-key'];
  if (typeof header === 'string') return header;
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7);
  const proto = req.headers['sec-websocket-protocol'];
  const insecure = proto?.split(',').map((s) => s.trim()).find((s) => s.startsWith('openai-insecure-api-key.'));
  if (insecure) return insecure.slice('openai-insecure-api-key.'.length);
  return url.searchParams.get('api-key') ?? undefined;
}

export function createRealtimeModel(options: RealtimeModelOptions = {}): RealtimeModel {
  const host = options.host ?? '127.0.0.1';
  const apiKey = options.apiKey ?? randomBytes(24).toString('hex');
  let certPath = options.tlsCert;
  let keyPath = options.tlsKey;
  if (!certPath || !keyPath) ({ certPath, keyPath } = makeCert());
  const certPem = readFileSync(certPath, 'utf8');
  const keyPem = readFileSync(keyPath, 'utf8');
  const clips = loadClips();
  // The speech fixtures are read at listen(), before any connection.
  const known: KnownSpeech[] = [...clips.values()].map((c) => c.known);
  let fixturesKnown = false;
  const live = new Map<string, RealtimeConnection>();
  const records: ConnectionRecord[] = [];
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 16 * 1024 * 1024 });
  let seq = 0;
  const faults: RealtimeFaults = { ...options.faults };
  let refuseUntil = faults.refuseForMs ? Date.now() + faults.refuseForMs : 0;

  const adminTarget = {
    connections: () => records,
    faults: () => ({ ...faults }),
    setFaults: (next: RealtimeFaults) => {
      for (const key of Object.keys(faults) as Array<keyof RealtimeFaults>) delete faults[key];
      Object.assign(faults, next);
      refuseUntil = next.refuseForMs ? Date.now() + next.refuseForMs : 0;
    },
    drop: (connectionId?: string, code?: number) => {
      const dropped = [...live.values()].filter((c) => connectionId === undefined || c.record.id === connectionId);
      for (const conn of dropped) conn.drop(code);
      return dropped.map((c) => c.record.id);
    },
  };

  function admin(req: IncomingMessage, res: ServerResponse): void {
    handleAdmin(req, res, adminTarget, options.adminRemote ?? false).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'admin_failed', message: (e as Error).message } }));
    });
  }

  /** A fault that refuses this upgrade: the status to answer, or undefined. */
  function refusal(): number | undefined {
    const next = faults.refuseNext;
    if (!next) return undefined;
    if ((next.count ?? 1) <= 1) delete faults.refuseNext;
    else faults.refuseNext = { ...next, count: (next.count ?? 1) - 1 };
    return next.status;
  }

  function upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const reject = (status: number, code: string, message: string) => {
      const body = errorBody(status, code, message);
      const retry = status === 429 || status === 503 ? 'retry-after: 1\r\n' : '';
      socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${retry}connection: close\r\n\r\n${body}`);
    };
    if (Date.now() < refuseUntil) return reject(503, REFUSALS[503].code, REFUSALS[503].message);
    const route = routeOf(url);
    if ('error' in route) return reject(404, 'not_found', route.error);
    const key = keyOf(req, url);
    if (key === undefined) return reject(401, 'missing_api_key', 'No API key provided: send the api-key header (Azure) or Authorization: Bearer <key> (OpenAI).');
    if (key !== apiKey) return reject(401, 'invalid_api_key', 'Incorrect API key provided.');
    const refused = refusal();
    if (refused !== undefined) return reject(refused, REFUSALS[refused].code, REFUSALS[refused].message);
    wss.handleUpgrade(req, socket, head, (ws) => {
      const id = `conn_${++seq}`;
      const conn = new RealtimeConnection(ws, { id, model: route.model, path: url.pathname, script: options.script, eventNames: options.eventNames ?? 'ga', faults, clips, known });
      records.push(conn.record);
      live.set(id, conn);
      ws.once('close', () => live.delete(id));
    });
  }

  const http = createHttpServer(admin);
  const https = createHttpsServer({ cert: certPem, key: keyPem }, admin);
  http.on('upgrade', upgrade);
  https.on('upgrade', upgrade);
  const net = createNetServer((socket) => {
    socket.once('readable', () => {
      const first = socket.read(1) as Buffer | null;
      if (!first) return socket.destroy();
      socket.unshift(first);
      (first[0] === 0x16 ? https : http).emit('connection', socket);
    });
  });
  const sockets = new Set<Socket>();
  net.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  let port = 0;

  const model: RealtimeModel = {
    apiKey,
    certPem,
    certPath,
    get url() {
      return `ws://${host}:${port}`;
    },
    get wssUrl() {
      return `wss://${host}:${port}`;
    },
    listen: async () => {
      if (!fixturesKnown) known.unshift(...(await Promise.all(listFixtures().map(loadFixture))).map(knownFixture));
      fixturesKnown = true;
      return new Promise((resolve, reject) => {
        net.once('error', reject);
        net.listen(options.port ?? 0, host, () => {
          port = (net.address() as AddressInfo).port;
          resolve({ url: model.url, wssUrl: model.wssUrl });
        });
      });
    },
    close: async () => {
      for (const conn of live.values()) conn.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => net.close(() => resolve()));
    },
    setFaults: adminTarget.setFaults,
    faults: adminTarget.faults,
    drop: adminTarget.drop,
    connections: () => records,
    connection: (id) => records.find((r) => r.id === id),
  };
  return model;
}
