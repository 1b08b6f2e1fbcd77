// One WebSocket as the media layer sees it: bytes in → parsePacket → the session. The server drives it through
// the MediaConnection callbacks; outbound text goes back through ConnectionInfo.send.
import { isUtf8 } from 'node:buffer';
import type { InboundPacket, ParseOptions } from '../protocol/index.js';
import { SessionLimitCloseCode, type ConnectionInfo, type MediaConnection } from './contract.js';
import { parsePacket, StringCache } from '../protocol/index.js';

/** What a connection needs from the hub and its session (kept narrow so the frame path is easy to follow). */
export interface ConnectionTarget<S> {
  /** Hub-wide message and byte counters: every message is counted here, then accepted or rejected. */
  countMessage(bytes: number): void;
  /** A packet arrived on `connection`. */
  accept(connection: Connection<S>, packet: InboundPacket): void;
  /** A message was rejected. */
  reject(connection: Connection<S>, reason: string, detail: string): void;
  /** The socket closed. */
  closed(connection: Connection<S>, code: number, reason: string): void;
}

/** A MediaConnection bound to a session (`S`: the media layer's session; generic so this file need not import it). */
export class Connection<S> implements MediaConnection {
  open = true;
  /** Replaced by a newer socket of the same session (ACS reconnect): further packets are ignored. */
  superseded = false;
  /** Passed to parsePacket: this socket's participant ID cache; the frame size is set once AudioMetadata is known. */
  readonly parseOptions: ParseOptions = { strings: new StringCache() };

  constructor(
    readonly info: ConnectionInfo,
    private readonly target: ConnectionTarget<S>,
    /** The session this socket feeds; rebound by the hub when metadata continues an earlier session. */
    public session: S,
  ) {}

  receive(data: Buffer | string, isBinary: boolean): void {
    this.target.countMessage(typeof data === 'string' ? Buffer.byteLength(data) : data.length);
    if (!this.open || this.superseded) {
      this.target.reject(this, 'superseded', 'a message arrived on a socket that a reconnect replaced');
      return;
    }
    if (isBinary) {
      this.target.reject(this, 'not_text', 'a binary WebSocket message; ACS sends JSON text frames (docs/protocol.md §1)');
      return;
    }
    // ws leaves UTF-8 validation to us (skipUTF8Validation) so one corrupt packet is rejected, not the whole call.
    if (typeof data !== 'string' && !isUtf8(data)) {
      this.target.reject(this, 'invalid_utf8', 'a text WebSocket message that is not valid UTF-8');
      return;
    }
    const result = parsePacket(data, this.parseOptions);
    if (result.ok) this.target.accept(this, result.packet);
    else this.target.reject(this, result.reason, result.detail);
  }

  /** A newer socket of the same session took over: close this one with a clear code instead of leaving it connected
   *  and ignored (what it still sends is rejected as 'superseded' until the close completes). */
  supersede(): void {
    if (this.superseded) return;
    this.superseded = true;
    if (this.open) this.info.close(SessionLimitCloseCode.Superseded, 'superseded by a newer connection of this session');
  }

  closed(code: number, reason: string): void {
    if (!this.open) return;
    this.open = false;
    this.target.closed(this, code, reason);
  }

  /** Send text to the peer; false when the socket is gone. */
  send(text: string): boolean {
    if (!this.open) return false;
    try {
      return this.info.send(text);
    } catch {
      return false;
    }
  }
}
