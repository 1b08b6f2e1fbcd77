// Options of parsePacket and parseOutboundPacket.

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
}
