// Options of parsePacket and parseOutboundPacket.
import type { StringCache } from './string-cache.js';

/** What the caller knows about the session, and limits. */
export interface ParseOptions {
  /**
   * Bytes every AudioData frame must decode to (the session's AudioMetadata `length`; see frameBytesFor).
   * @default undefined — any even byte count is accepted
   */
  expectedFrameBytes?: number;
  /**
   * Largest message accepted, in bytes (UTF-8 for strings); larger ones are rejected as `too_large` unread.
   * @default undefined — no limit (the WebSocket's own maxPayload still applies)
   */
  maxBytes?: number;
  /**
   * Reuse of strings that repeat between packets of one socket (participantRawID): pass one `new StringCache()` per
   * socket and a repeated ID costs no new string (the media server does this for every connection).
   * @default undefined — every packet gets strings of its own
   */
  strings?: StringCache;
}
