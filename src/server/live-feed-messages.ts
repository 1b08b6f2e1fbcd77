// The messages the live feed (`/api/live`) sends to dashboards and accepts from them. Shared by the server
// (src/server/live-feed.ts) and the dashboard (web/src): one JSON text message per tick, binary only for "listen".

import type { SessionSummary } from '../media/index.js';

/** Levels of one track over the last tick (about 100 ms). Levels are dBFS, floored at `LEVEL_FLOOR_DBFS`. */
export interface LiveTrackLevel {
  trackId: string;
  /** RMS over the frames of this tick (energy average of the frames' RMS). */
  rmsDbfs: number;
  /** Loudest frame RMS in this tick. */
  peakDbfs: number;
  /** True when at least one frame of this tick was voiced (not silent, above the speaking threshold). */
  speaking: boolean;
  /** Frames this tick, oldest first: each frame's RMS as linear amplitude 0..1, three decimals (the waveform). */
  envelope: number[];
  /** Frames counted for this track since the session began. */
  frames: number;
}

/** One session's levels and counters in a tick. */
export interface LiveSessionLevels {
  sessionId: string;
  tracks: LiveTrackLevel[];
  counts: SessionSummary['counts'];
}

/** A Call Automation callback event, trimmed to what the dashboard shows. */
export interface LiveCallEvent {
  /** Event type without the `Microsoft.Communication.` prefix, e.g. `CallConnected`. */
  type: string;
  callConnectionId: string | undefined;
  /** Event time (ISO 8601), or the time we received it. */
  time: string;
  /** `resultInformation` code/subCode/message and the streaming status when present. */
  detail: string;
}

/** A transcript line as the dashboard shows it. */
export interface LiveTranscriptLine {
  participantRawId: string | undefined;
  /** Who spoke, for lines the app added (session.addTranscript, e.g. a voice agent's "agent" and "caller"). */
  speaker?: string;
  text: string;
  final: boolean;
  /** Offset into the call in ms (from the packet's ticks); may be huge for absolute offsets. */
  offsetMs: number;
}

/** A discrete event, delivered in order within the tick that follows it. */
export type LiveEvent =
  | { type: 'session'; session: SessionSummary }
  | { type: 'participant'; sessionId: string; trackId: string; participantRawId: string | undefined }
  | { type: 'transcript'; sessionId: string; line: LiveTranscriptLine }
  | { type: 'dtmf'; sessionId: string; tone: string; participantRawId: string | undefined }
  | { type: 'call'; event: LiveCallEvent };

/** Everything a dashboard needs to draw the present: sent first, and again after a client was skipped. */
export interface LiveSnapshot {
  type: 'snapshot';
  t: number;
  sessions: Array<{
    session: SessionSummary;
    participants: Array<{ trackId: string; participantRawId: string | undefined }>;
    transcript: LiveTranscriptLine[];
    dtmf: string;
  }>;
  calls: LiveCallEvent[];
}

/** Sent every tick (default 100 ms) while something changed or a session is live. */
export interface LiveTick {
  type: 'tick';
  t: number;
  levels: LiveSessionLevels[];
  events: LiveEvent[];
}

/** Answers a `listen` request: binary messages that follow are PCM16LE mono frames of this track. */
export interface LiveListening {
  type: 'listening';
  sessionId: string | undefined;
  trackId: string | undefined;
  sampleRate: number | undefined;
}

/** Server → dashboard text messages. */
export type LiveServerMessage = LiveSnapshot | LiveTick | LiveListening;

/** Dashboard → server: listen to one track live (PCM as binary messages), or stop with `trackId` undefined. */
export interface LiveListenRequest {
  type: 'listen';
  sessionId?: string;
  trackId?: string;
}

/** Levels below this are reported as this (JSON has no -Infinity). */
export const LEVEL_FLOOR_DBFS = -100;
