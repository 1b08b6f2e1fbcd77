// The contract between the transport edge (src/server) and the media layer (src/media).
// The server owns sockets and HTTP; media owns sessions, tracks, timelines and sinks.
// Media never imports ws or http: a connection is handed over as plain callbacks.

import type { SampleRate } from '../protocol/index.js';

/** One frame as the media layer hands it to sinks and app handlers (domain type, PROTOCOL.md §1 AudioData). */
export interface AudioFrame {
  /** Track this frame belongs to: `mixed` or a safe id derived from the participant. */
  trackId: string;
  /** The wire's participantRawID, verbatim; undefined for mixed audio. */
  participantRawId: string | undefined;
  sampleRate: SampleRate;
  /** 20 ms of PCM16 mono. Sinks that keep it past `write` must copy. */
  samples: Int16Array;
  /** Position on the session timeline in ms since the session's first frame. */
  timelineMs: number;
  /** The frame's wire timestamp as epoch ms (for filled frames: the expected time). */
  timestampMs: number;
  silent: boolean;
  /** True when the timeline made this frame up to fill a gap. */
  filled: boolean;
  /** RMS level in dBFS (-Infinity for digital silence). */
  levelDbfs: number;
}

/** Everything that consumes frames shares this: recorder, mixer, live feed, NATS publisher, app callback. */
export interface Sink {
  readonly name: string;
  write(frame: AudioFrame): void;
  close(): Promise<void>;
}

/** What the transport edge knows about a new socket. */
export interface ConnectionInfo {
  /** Request path with query string, kept with the session (apps put call context there). */
  url: string;
  remoteAddress: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  /** Send a text message to the peer (outbound AudioData / StopAudio). Returns false when the socket is gone. */
  send(text: string): boolean;
  /** Bytes queued on the socket but not yet sent (for talk-back back-pressure). */
  bufferedAmount(): number;
  /** Close the socket with a WebSocket close code and reason. */
  close(code: number, reason: string): void;
}

/** The media layer's handle on one socket, driven by the transport edge. */
export interface MediaConnection {
  /** A message arrived: text frames as Buffer (UTF-8) or string; `isBinary` per the WebSocket frame type. */
  receive(data: Buffer | string, isBinary: boolean): void;
  /** The socket closed (by either side). */
  closed(code: number, reason: string): void;
}
