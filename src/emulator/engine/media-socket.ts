// One call's media socket to the app, as ACS keeps it (docs/protocol.md §3): opened with a fresh token, AudioMetadata
// first on every connection, and reconnected after a drop or after the app closes it (reconnectAttempts tries,
// reconnectAfterMs apart). The stream (engine-stream.ts) ticks frames into it; faults (stream-faults.ts) drop or refuse it.
import type { Socket } from 'node:net';
import type WebSocket from 'ws';
import type { Logger } from 'pino';
import { frameBytesFor, serializePacket } from '../../protocol/index.js';
import type { StreamSpec } from '../media-engine-contract.js';
import { connectSocket } from './connect-socket.js';
import type { OutgoingMessage } from './outbox.js';

const CLOSE_WAIT_MS = 1000;
/** Above this many unsent bytes on a media socket, frames are dropped rather than queued (about 40 s of audio). */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/** Where the socket is: not yet asked to connect, connecting the first time, open, between a drop and its reconnect, closed for good. */
export type MediaSocketPhase = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

/** What the socket tells its stream. */
export interface MediaSocketEvents {
  /** A message the app sent. */
  message(data: Buffer): void;
  /** The socket is gone (dropped, or closed by the app); a reconnect is scheduled. */
  interrupted(): void;
  /** A reconnect opened a new socket (its AudioMetadata sent). */
  reestablished(): void;
  /** Reconnecting failed for good. */
  failed(detail: string): void;
}

/** What a media socket needs. */
export interface MediaSocketOptions {
  spec: Pick<StreamSpec, 'transportUrl' | 'token' | 'callConnectionId' | 'correlationId' | 'subscriptionId' | 'sampleRate'>;
  handshakeTimeoutMs: number;
  /** Wait before reconnecting after the app closed the socket, in call-time ms (divided by `speed`). */
  reconnectAfterMs: number;
  reconnectAttempts: number;
  speed: number;
  logger: Logger;
  events: MediaSocketEvents;
}

/** The media socket of one stream, across its reconnects. */
export class MediaSocket {
  phase: MediaSocketPhase = 'idle';
  /** Sockets opened (1 + reconnects). */
  connections = 0;
  /** Set by the refuse fault: every connection from now on is refused. */
  private refusing = false;
  private socket: WebSocket | undefined;
  /** The TCP socket under `socket`: corked while a frame's messages are sent, so they leave in one write. */
  private transport: Socket | undefined;
  private connectingTransport: Socket | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: MediaSocketOptions) {}

  /** True when a frame can be sent now. */
  get writable(): boolean {
    const ws = this.socket;
    return ws !== undefined && ws.readyState === ws.OPEN;
  }

  /** The first connection; undefined when the socket was closed while it was being opened. Rejects when refused or failed. */
  async open(): Promise<WebSocket | undefined> {
    this.phase = 'connecting';
    const opened = await this.connect();
    if (this.phase !== 'connecting') {
      opened.terminate();
      return undefined;
    }
    return opened;
  }

  /** Takes `opened` as the media socket: listeners once per connection, AudioMetadata first (again after a reconnect). */
  attach(opened: WebSocket): void {
    const { spec, logger } = this.options;
    this.socket = opened;
    this.transport = this.connectingTransport;
    this.connectingTransport = undefined;
    this.phase = 'open';
    opened.on('message', this.options.events.message);
    opened.on('close', (code: number) => this.onClose(opened, code));
    opened.on('error', (error: Error) => logger.warn({ err: error }, 'media socket error'));
    if (opened.readyState !== opened.OPEN) {
      // Closed between the handshake and now, before the close listener was there.
      this.drop(this.options.reconnectAfterMs);
      return;
    }
    opened.send(
      serializePacket({
        kind: 'AudioMetadata',
        subscriptionId: spec.subscriptionId,
        encoding: 'PCM',
        sampleRate: spec.sampleRate,
        channels: 1,
        length: frameBytesFor(spec.sampleRate),
      }),
    );
  }

  /** Sends one frame's messages in one write; false, sending nothing, when the app does not read (its buffer is full). */
  sendFrame(messages: OutgoingMessage[]): boolean {
    const ws = this.socket!;
    // The app does not read: ACS cannot queue live audio forever either, so these frames are lost.
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) return false;
    this.transport?.cork();
    for (const message of messages) ws.send(message.text);
    this.transport?.uncork();
    return true;
  }

  /** Sends a text message as is (the malformed fault), when the socket is open. */
  sendRaw(text: string): void {
    if (this.socket !== undefined && this.socket.readyState === this.socket.OPEN) this.socket.send(text);
  }

  /** The socket is gone (dropped, or closed by the app): the stream reports the interruption; a reconnect follows. */
  drop(reconnectAfterMs: number): void {
    const old = this.socket;
    this.socket = undefined;
    this.transport = undefined;
    this.phase = 'reconnecting';
    old?.terminate();
    this.options.events.interrupted();
    this.scheduleReconnect(reconnectAfterMs, 1);
  }

  /** Refuse every connection from now on (the refuse fault). */
  refuse(): void {
    this.refusing = true;
  }

  /** Closes for good: no reconnect; the open socket closes with `code` (waiting for the handshake a moment). */
  close(code: number): Promise<void> {
    this.phase = 'closed';
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    const ws = this.socket;
    this.socket = undefined;
    return ws === undefined ? Promise.resolve() : closeSocket(ws, code);
  }

  private async connect(): Promise<WebSocket> {
    const { spec } = this.options;
    if (this.refusing) throw new Error(`the stream connection to ${spec.transportUrl} was refused (refuse fault)`);
    const opened = await connectSocket({
      url: spec.transportUrl,
      token: spec.token,
      callConnectionId: spec.callConnectionId,
      correlationId: spec.correlationId,
      handshakeTimeoutMs: this.options.handshakeTimeoutMs,
      onTransport: (transport) => (this.connectingTransport = transport),
    });
    this.connections++;
    return opened;
  }

  private onClose(closed: WebSocket, code: number): void {
    if (closed !== this.socket || this.phase !== 'open') return;
    this.options.logger.warn({ code }, 'the app closed the media socket; reconnecting as ACS does');
    this.drop(this.options.reconnectAfterMs);
  }

  private scheduleReconnect(afterMs: number, attempt: number): void {
    this.reconnectTimer = setTimeout(() => {
      this.reconnect(attempt).catch((error: Error) => this.options.events.failed(`media stream reconnect failed: ${error.message}`));
    }, afterMs / this.options.speed);
  }

  private async reconnect(attempt: number): Promise<void> {
    const { logger, events } = this.options;
    this.reconnectTimer = undefined;
    if (this.phase !== 'reconnecting') return;
    let opened: WebSocket;
    try {
      opened = await this.connect();
    } catch (error) {
      if (this.refusing || attempt >= this.options.reconnectAttempts) {
        return events.failed(`could not reconnect the media stream: ${(error as Error).message}`);
      }
      logger.warn({ attempt, err: error }, 'reconnect failed; trying again');
      return this.scheduleReconnect(this.options.reconnectAfterMs, attempt + 1);
    }
    if (this.phase !== 'reconnecting') {
      opened.terminate();
      return;
    }
    this.attach(opened);
    logger.info({ connections: this.connections }, 'media stream reestablished');
    events.reestablished();
  }
}

/** Closes a socket with `code`, waiting for the close handshake a moment before cutting it. */
export async function closeSocket(ws: WebSocket, code = 1000): Promise<void> {
  if (ws.readyState === ws.CLOSED) return;
  if (ws.readyState !== ws.OPEN) {
    ws.terminate();
    return;
  }
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      ws.terminate();
      resolve();
    }, CLOSE_WAIT_MS);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.close(code);
  });
}
