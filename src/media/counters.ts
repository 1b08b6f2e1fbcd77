// Counters as plain numbers: the hub-wide ledger behind /metrics, one object the connection, the session and its
// timeline add to directly as a message moves forward (no call back into the hub), where every message received ends
// up accepted or rejected (by reason) exactly once; and each session's own counts (session.json, the API).
import type { SessionSummary } from './contract.js';
import type { RecordingFailureReason } from './recording-health.js';

/** A new session's counts (SessionSummary['counts']): zeros, and its first connection. */
export function newSessionCounts(): SessionSummary['counts'] {
  return {
    framesReceived: 0,
    framesWritten: 0,
    gapsFilled: 0,
    duplicates: 0,
    late: 0,
    tooLate: 0,
    rejected: 0,
    recordingDropped: 0,
    transcripts: 0,
    dtmf: 0,
    talkBackFrames: 0,
    talkBackSkipped: 0,
    talkBackPlayed: 0,
    talkBackCut: 0,
    connections: 1,
    discontinuities: 0,
    reanchors: 0,
  };
}

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
  /** Failed recording file operations, by reason (recording-health.ts: a fixed set). */
  readonly recordingFailures: Record<string, number> = {};
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

  recordingFailed(reason: RecordingFailureReason): void {
    this.recordingFailures[reason] = (this.recordingFailures[reason] ?? 0) + 1;
  }

  limitClosed(limit: string): void {
    this.limitClosures[limit] = (this.limitClosures[limit] ?? 0) + 1;
  }

  discontinuity(kind: 'gap' | 'reanchor'): void {
    this.discontinuities[kind] = (this.discontinuities[kind] ?? 0) + 1;
  }
}
