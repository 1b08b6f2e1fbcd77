// The WebSocket ingest edge: the upgrade of /ws (JWT, connection limit, or a refusal with a real HTTP status), then
// each accepted socket handed to the media hub as a MediaConnection, every message passed straight through (raw
// Buffer, isBinary). Listeners are module-level functions registered once per socket, so no closure is made per
// message or per socket. One sweep timer for all sockets does ping/pong and the idle timeout.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { ConnectionInfo, MediaConnection, MediaHub } from '../media/index.js';
import { SessionLimitCloseCode } from '../media/index.js';
import type { JwtVerifier } from './auth/jwt-verifier.js';
import type { ServerMetrics } from './metrics.js';

/** Close codes the ingest uses (RFC 6455 §7.4 and the private range 4000-4999). */
export const IngestCloseCode = {
  GoingAway: 1001,
  TooLarge: 1009,
  TryAgainLater: 1013,
  Idle: 4000,
  DeadPeer: 4001,
  /** Closed by the media layer: a track over --max-frame-rate. */
  FrameRate: SessionLimitCloseCode.FrameRate,
  /** Closed by the media layer: a session over --max-participants. */
  Participants: SessionLimitCloseCode.Participants,
} as const;

/** Limits on the ingest; each has a default, a flag in `acs-audio serve`, a close code and a metric. */
export interface IngestLimits {
  /** Sockets open at once; more get HTTP 503 before the upgrade. @default 2000 */
  maxConnections: number;
  /** A socket with no message for this long is closed with 4000. @default 60000 */
  idleTimeoutMs: number;
  /** Ping interval; a peer that misses a pong for a whole interval is terminated (4001). @default 30000 */
  pingIntervalMs: number;
}

/** What the ingest needs from its server. */
export interface IngestOptions {
  hub: MediaHub;
  metrics: ServerMetrics;
  limits: IngestLimits;
  logger: Logger;
  /** Verifies the JWT of upgrades and callbacks; none lets everyone in. */
  verifier: JwtVerifier | undefined;
  /** Largest WebSocket message, in bytes (ws closes with 1009 above it). */
  maxPayloadBytes: number;
}

/** A request's JWT check: the verifier's reason and detail when it is refused. */
export type Authorization = { ok: true } | { ok: false; reason: string; detail: string };

const MEDIA = Symbol('media');
const STATE = Symbol('state');
const INGEST = Symbol('ingest');

interface IngestSocket extends WebSocket {
  [MEDIA]: MediaConnection;
  [STATE]: { lastMessageAt: number; alive: boolean };
  [INGEST]: Ingest;
}

/** The media layer's view of one socket. A class, not an object of arrows: no closures and no context per socket. */
class SocketInfo implements ConnectionInfo {
  readonly url: string;
  readonly remoteAddress: string | undefined;
  readonly headers: Record<string, string | string[] | undefined>;

  constructor(
    private readonly socket: WebSocket,
    req: IncomingMessage,
  ) {
    this.url = req.url ?? '/ws';
    this.remoteAddress = req.socket.remoteAddress;
    this.headers = req.headers;
  }

  send(text: string): boolean {
    if (this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(text);
    return true;
  }

  bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  close(code: number, reason: string): void {
    this.socket.close(code, reason);
  }
}

function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  const socket = this as IngestSocket;
  socket[STATE].lastMessageAt = Date.now();
  socket[MEDIA].receive(data as Buffer, isBinary);
}

function onPong(this: WebSocket): void {
  (this as IngestSocket)[STATE].alive = true;
}

function onClose(this: WebSocket, code: number, reason: Buffer): void {
  const socket = this as IngestSocket;
  socket[INGEST].forget(socket);
  socket[MEDIA].closed(code, reason.toString('utf8'));
}

function onError(this: WebSocket, error: Error & { code?: string }): void {
  // ws has already closed the socket with 1009; count it with the other limits.
  if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') (this as IngestSocket)[INGEST].countMaxPayload();
}

/** Accepts ingest sockets for one server. */
export class Ingest {
  private readonly sockets = new Set<IngestSocket>();
  private readonly sweepTimer: NodeJS.Timeout;
  private readonly hub: MediaHub;
  private readonly metrics: ServerMetrics;
  private readonly limits: IngestLimits;
  private readonly wss: WebSocketServer;

  constructor(private readonly options: IngestOptions) {
    this.hub = options.hub;
    this.metrics = options.metrics;
    this.limits = options.limits;
    // UTF-8 is checked per message by the media layer (rejected as invalid_utf8) instead of ws failing the whole socket.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes, perMessageDeflate: false, skipUTF8Validation: true });
    const sweepEvery = Math.max(50, Math.min(this.limits.pingIntervalMs, this.limits.idleTimeoutMs / 2));
    this.sweepTimer = setInterval(() => this.sweep(), sweepEvery);
    this.sweepTimer.unref();
  }

  /** Checks the request's JWT (when the server has a verifier); a refusal is counted and logged. */
  async authorize(req: IncomingMessage, surface: 'ws' | 'callback'): Promise<Authorization> {
    const { verifier, logger } = this.options;
    if (!verifier) return { ok: true };
    const result = await verifier.verify(req.headers.authorization);
    if (result.ok) return result;
    this.metrics.authFailures.inc({ surface, reason: result.reason });
    logger.warn({ surface, reason: result.reason, detail: result.detail, remote: req.socket.remoteAddress }, 'refused: bad or missing JWT');
    return result;
  }

  /** An upgrade of /ws: refused with 401 (JWT) or 503 (maxConnections), else accepted as a media socket. */
  async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const auth = await this.authorize(req, 'ws');
    if (!auth.ok) return this.refuse(socket, 401, 'unauthorized', `${auth.reason}: ${auth.detail}`);
    if (!this.hasRoom()) {
      this.metrics.limitClosures.inc({ limit: 'max_connections' });
      return this.refuse(socket, 503, 'too_many_connections', `This server holds ${this.limits.maxConnections} sockets already.`);
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req));
  }

  /** Answers an upgrade with an HTTP error instead of a WebSocket (counted by reason), and closes the socket. */
  refuse(socket: Duplex, status: number, reason: string, message: string): void {
    this.metrics.wsRefused.inc({ reason });
    const body = JSON.stringify({ error: { code: reason, message } });
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }

  /** True when one more socket fits under maxConnections. */
  hasRoom(): boolean {
    return this.sockets.size < this.limits.maxConnections;
  }

  get size(): number {
    return this.sockets.size;
  }

  /** Takes over an upgraded socket. */
  accept(ws: WebSocket, req: IncomingMessage): void {
    const socket = ws as IngestSocket;
    socket[STATE] = { lastMessageAt: Date.now(), alive: true };
    socket[INGEST] = this;
    socket[MEDIA] = this.hub.connect(new SocketInfo(socket, req));
    this.sockets.add(socket);
    this.metrics.wsConnections.inc({ path: '/ws' });
    socket.on('message', onMessage);
    socket.on('pong', onPong);
    socket.on('close', onClose);
    socket.on('error', onError);
  }

  /** The socket closed (its 'close' listener). */
  forget(socket: IngestSocket): void {
    this.sockets.delete(socket);
  }

  /** ws refused a message over maxPayload (its 'error' listener). */
  countMaxPayload(): void {
    this.metrics.limitClosures.inc({ limit: 'max_payload' });
  }

  /** Closes every socket with 1001 (going away); resolves when they are closed or after a short grace. */
  async closeAll(): Promise<void> {
    clearInterval(this.sweepTimer);
    const closing = [...this.sockets].map(
      (socket) =>
        new Promise<void>((resolve) => {
          if (socket.readyState === WebSocket.CLOSED) return resolve();
          socket.once('close', () => resolve());
          socket.close(IngestCloseCode.GoingAway, 'server shutting down');
          setTimeout(() => {
            socket.terminate();
            resolve();
          }, 2000).unref();
        }),
    );
    await Promise.all(closing);
  }

  private sweep(): void {
    const now = Date.now();
    for (const socket of this.sockets) {
      const state = socket[STATE];
      if (now - state.lastMessageAt > this.limits.idleTimeoutMs) {
        this.metrics.limitClosures.inc({ limit: 'idle_timeout' });
        socket.close(IngestCloseCode.Idle, `no packet for ${Math.round(this.limits.idleTimeoutMs / 1000)} s`);
        continue;
      }
    }
    if (now - this.lastPing < this.limits.pingIntervalMs) return;
    this.lastPing = now;
    for (const socket of this.sockets) {
      const state = socket[STATE];
      if (!state.alive) {
        this.metrics.limitClosures.inc({ limit: 'dead_peer' });
        socket.terminate();
        continue;
      }
      state.alive = false;
      socket.ping();
    }
  }

  private lastPing = Date.now();
}
