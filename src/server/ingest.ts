// The WebSocket ingest edge: hands each accepted socket to the media hub as a MediaConnection and passes every
// message straight through (raw Buffer, isBinary). Listeners are module-level functions registered once per socket,
// so no closure is made per message or per socket. One sweep timer for all sockets does ping/pong and the idle timeout.
import type { IncomingMessage } from 'node:http';
import { WebSocket, type RawData } from 'ws';
import type { ConnectionInfo, MediaConnection, MediaHub } from '../media/index.js';
import { SessionLimitCloseCode } from '../media/index.js';
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

  constructor(
    private readonly hub: MediaHub,
    private readonly metrics: ServerMetrics,
    private readonly limits: IngestLimits,
  ) {
    const sweepEvery = Math.max(50, Math.min(limits.pingIntervalMs, limits.idleTimeoutMs / 2));
    this.sweepTimer = setInterval(() => this.sweep(), sweepEvery);
    this.sweepTimer.unref();
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
