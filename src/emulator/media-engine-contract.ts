// The contract between the emulator's control plane (REST, call store, callback events) and its media engine
// (WebSocket client streams, pacing, audio sources, faults). The control plane decides *when* to stream;
// the engine decides *what* goes on the wire and reports what happened to the socket.

import type { SampleRate } from '../protocol/index.js';

/**
 * Who is in the call and what they say: a bundled fixture, a WAV file, a tone, or silence. A tone or silence lasts
 * `durationMs`, or when absent until the participant's next `say` step (or the end of the stream).
 */
export type AudioSourceSpec =
  | { type: 'fixture'; name?: string }
  | { type: 'wav'; path: string }
  | { type: 'tone'; frequencyHz: number; amplitude?: number; durationMs?: number }
  | { type: 'silence'; durationMs?: number };

/** One thing a participant does at a time offset from the start of streaming. */
export interface ScenarioStep {
  /** Milliseconds after streaming starts. */
  atMs: number;
  /** Speak a source (played once from atMs), or press a DTMF tone. */
  say?: AudioSourceSpec;
  dtmf?: string;
}

export interface ScenarioParticipant {
  /** Raw ID as ACS would send it, e.g. `4:+15551234567` or `8:acs:...`. */
  rawId: string;
  displayName?: string;
  steps: ScenarioStep[];
}

/** A fault injected into a running stream (admin endpoint or scenario). */
export type FaultSpec =
  | { type: 'drop'; reconnectAfterMs?: number }
  | { type: 'refuse' }
  | { type: 'jitter'; maxMs: number; durationMs: number }
  | { type: 'burst'; frames: number }
  | { type: 'duplicate'; frames: number }
  | { type: 'reorder'; frames: number }
  | { type: 'malformed' }
  | { type: 'hangup' }
  | { type: 'fail' };

/** A scenario file: who is in the call, what each says and when, and faults (JSON). */
export interface Scenario {
  /** Total streaming length in ms after which the call hangs up by itself; undefined = until stopped. */
  durationMs?: number;
  participants: ScenarioParticipant[];
  faults?: Array<{ atMs: number; fault: FaultSpec }>;
  /** What the caller answers to each recognize, in order (the last one repeats). @default the no-scenario defaults */
  replies?: ScenarioReply[];
  /** Who answers an add-participant or a transfer, and how. @default everyone answers after about a second */
  callees?: ScenarioCallee[];
  /** Digits the caller presses while continuous DTMF recognition runs. @default "1" */
  continuousDtmf?: string;
}

/** A callee of addParticipant / transferCallToParticipant. */
export interface ScenarioCallee {
  /** Raw ID as the app names it, e.g. `4:+15557654321`. */
  rawId: string;
  /** @default 'answer' */
  answer?: 'answer' | 'busy' | 'noAnswer' | 'decline';
  /** Call-time ms the callee rings before it answers (or fails). @default 1000 */
  ringMs?: number;
  /** What an answering callee says once in the media stream (repeated after pauses). @default a bundled fixture */
  say?: AudioSourceSpec;
}

/** The caller's answer to one recognize: digits pressed, words said, or nothing (the recognize times out). */
export interface ScenarioReply {
  /** Digits pressed, e.g. "12#". */
  dtmf?: string;
  /** Words said (matched against choices' phrases, or the speech result). */
  speech?: string;
  /** Say nothing: RecognizeFailed with the initial-silence timeout. */
  timeout?: boolean;
}

/** What the control plane asks the engine to stream. */
export interface StreamSpec {
  callConnectionId: string;
  correlationId: string;
  /** The call's mediaStreamingSubscription.id; sent as AudioMetadata.subscriptionId. */
  subscriptionId: string;
  transportUrl: string;
  sampleRate: SampleRate;
  channel: 'mixed' | 'unmixed';
  bidirectional: boolean;
  dtmf: boolean;
  /** Participants and their sources; when the scenario names none, each target speaks a fixture. */
  scenario: Scenario;
  /** Bearer token for the WebSocket upgrade (signed by the emulator). A function: a new token per connection. */
  token: () => Promise<string>;
  /** Transcription on this call: a separate socket with TranscriptionMetadata/Data. */
  transcription?: { transportUrl: string; locale: string; subscriptionId: string; intermediateResults: boolean };
}

/** What happened to a stream's socket, reported back so the control plane can post callback events. */
export interface StreamEvents {
  connected(): void;
  /** Could not connect at all (MediaStreamingFailed / streamConnectionUnsuccessful). */
  failed(detail: string): void;
  interrupted(): void;
  reestablished(): void;
  /** The scenario asked for a remote hang-up. */
  hangupRequested(): void;
  /** The stream ended (stopped or closed) and sends nothing more. */
  ended(): void;
}

/** One 20 ms frame of the call as ACS hears it: each participant's PCM and what the app played (call recording). */
export interface CallAudioFrame {
  /** Raw IDs, in the order of `participants` (one who left stays, silent). */
  rawIds: readonly string[];
  /** Views the engine reuses for the next frame: copy what you keep. */
  participants: readonly Int16Array[];
  /** The app's audio due in this frame (bidirectional streaming, played in real time); silence when none. */
  app: Int16Array;
}

/** Hears every frame of a call (see EngineStream.listen). */
export type CallAudioListener = (frame: CallAudioFrame) => void;

/** A running stream. */
export interface EngineStream {
  readonly spec: StreamSpec;
  stop(): Promise<void>;
  inject(fault: FaultSpec): void;
  /** A participant joins the call's audio (an answered addParticipant) and speaks `say`; resolves once it is in. */
  join?(rawId: string, say?: AudioSourceSpec): Promise<void>;
  /** A participant leaves (removeParticipant): no more frames for it. */
  leave?(rawId: string): void;
  /** A participant is muted: its frames go silent. */
  mute?(rawId: string): void;
  /** Hears every frame from now on, whether or not the app's socket is open; returns the detach function. */
  listen?(listener: CallAudioListener): () => void;
  /** Frames sent per participant (rawId, or 'mixed'), and what the app sent back. */
  stats(): EngineStreamStats;
}

/** One StopAudio as ACS's playout saw it: ACS plays what it is sent in real time and StopAudio drops the rest. */
export interface StopAudioRecord {
  /** Call-time ms since the stream started. */
  atMs: number;
  /** App audio the caller heard since the previous StopAudio (or the start of the stream). */
  heardMs: number;
  /** App audio still queued, dropped by this StopAudio. */
  droppedMs: number;
}

export interface EngineStreamStats {
  framesSent: Record<string, number>;
  dtmfSent: number;
  transcriptionPacketsSent: number;
  outboundFramesReceived: number;
  outboundStopAudioReceived: number;
  outboundViolations: number;
  /** Every StopAudio the app sent, as ACS's playout saw it (see StopAudioRecord). */
  outboundStopAudio: StopAudioRecord[];
  /** App audio the caller heard: played out of ACS's queue in real time (call time), in all. */
  outboundHeardMs: number;
  /** App audio ACS still holds, not yet played. */
  outboundQueuedMs: number;
  /** App audio never heard: dropped by StopAudio, by the end of the call, or past the queue's bound. */
  outboundDroppedMs: number;
  /** Path of the WAV recording of what the caller heard of the app's audio, when any. */
  playbackWavPath: string | undefined;
  faults: Array<{ atMs: number; fault: FaultSpec }>;
  /** How late this stream's frames went out against their due time (wall ms), when the engine measures it. */
  pacing?: PacingJitter;
}

/** Percentiles of pacing lateness: send time − due time, in wall milliseconds. */
export interface PacingJitter {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Engine-wide figures (for benchmarks and the admin API). */
export interface MediaEngineStats {
  streams: number;
  pacing: PacingJitter;
}

/** The media engine: one scheduler for all calls. */
export interface MediaEngine {
  start(spec: StreamSpec, events: StreamEvents): EngineStream;
  close(): Promise<void>;
  /** Engine-wide pacing figures, when the engine measures them. */
  stats?(): MediaEngineStats;
}
