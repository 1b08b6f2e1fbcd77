// The hub-wide ledger behind /metrics: one object the connection and the session add to directly as a message moves
// forward (no call back into the hub). Every message received ends up accepted or rejected (by reason) exactly once.

/** Hub-wide message counters; plain fields read at scrape time. */
export class MediaCounters {
  bytesReceived = 0;
  messagesReceived = 0;
  messagesAccepted = 0;
  messagesRejected = 0;
  readonly framesByKind: Record<string, number> = {};
  readonly rejectsByReason: Record<string, number> = {};
  /** Sockets closed because a session exceeded a limit, by limit ('participants', 'frame_rate'). */
  readonly limitClosures: Record<string, number> = {};
  /** Timeline discontinuities, by kind ('gap': too long to fill, 'reanchor': moved to a run of frames off it). */
  readonly discontinuities: Record<string, number> = {};

  /** A WebSocket message arrived (before it is parsed). */
  received(bytes: number): void {
    this.messagesReceived++;
    this.bytesReceived += bytes;
  }

  /** A message parsed into a packet of `kind`. */
  parsed(kind: string): void {
    this.framesByKind[kind] = (this.framesByKind[kind] ?? 0) + 1;
  }

  accepted(): void {
    this.messagesAccepted++;
  }

  rejected(reason: string): void {
    this.messagesRejected++;
    this.rejectsByReason[reason] = (this.rejectsByReason[reason] ?? 0) + 1;
  }

  limitClosed(limit: string): void {
    this.limitClosures[limit] = (this.limitClosures[limit] ?? 0) + 1;
  }

  discontinuity(kind: 'gap' | 'reanchor'): void {
    this.discontinuities[kind] = (this.discontinuities[kind] ?? 0) + 1;
  }
}
