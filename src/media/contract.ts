// The contract between the transport edge (src/server) and the media layer (src/media).
// The server owns sockets and HTTP; media owns sessions, tracks, timelines and sinks.
// Media never imports ws or http: a connection is handed over as plain callbacks.

import type { DtmfDataPacket, SampleRate, TranscriptionDataPacket } from '../protocol/index.js';
import type { MediaError } from './media-error.js';
import type { TypedEvents } from './safe-emitter.js';

/** One frame as the media layer hands it to sinks and app handlers (domain type, docs/protocol.md §1 AudioData). */
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
  /** True for frames of the talk-back track (what the app played, as heard): app code that feeds audio to a model
   *  must skip these so the model never hears itself. */
  talkBack: boolean;
}

/** WebSocket close codes the media layer uses when a session exceeds a limit (private range 4000-4999). */
export const SessionLimitCloseCode = {
  FrameRate: 4002,
  Participants: 4003,
  /** A newer socket continued this session (same subscriptionId): the old one is closed. */
  Superseded: 4004,
  /** The hub holds `maxSessions` sessions (live + waiting for a reconnect) or `maxRecordingFiles` open files. */
  TooManySessions: 4005,
} as const;

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

/** Session lifecycle as the dashboard and API show it. */
export type SessionState = 'connecting' | 'streaming' | 'interrupted' | 'ended' | 'failed';

/**
 * Audio to play into a call (bidirectional): PCM at a given rate, a WAV file path or buffer, or a stream of PCM.
 *
 * `live: true` is for audio relayed as it arrives (an echo, a bridged call, a realtime voice model), where lateness
 * must not build up: its frames are sent as soon as they are queued, never held back, while ACS holds at most
 * `talkBackLiveLeadMs` of this session's audio; past that, frames are skipped (counted in `framesSkipped` and the
 * session's `talkBackSkipped`) so the delay stays bounded. Without it, audio is paced at real time and nothing is
 * skipped, so a burst from a live sender would delay every later frame for good.
 */
export type PlaySource =
  | { pcm: Int16Array; sampleRate: number; live?: boolean }
  | { wavPath: string }
  | { wav: Buffer }
  | { stream: AsyncIterable<Buffer | Int16Array>; sampleRate: number; live?: boolean };

/** How a playback ended (PlayHandle.done). */
export interface PlayResult {
  /** 'completed': every frame was sent and, by the pacing model, played out; 'cancelled': cut short by cancel(),
   *  stopAudio(), the socket going away or the session ending (or the source failed: then `error` is set). */
  status: 'completed' | 'cancelled';
  framesSent: number;
  /** Frames not sent: live frames over `talkBackLiveLeadMs`, or PlayStream frames dropped because its queue was full. */
  framesSkipped: number;
  error?: Error;
  /** Milliseconds of this playback sent to ACS. */
  sentMs: number;
  /** Milliseconds the caller heard: sentMs minus what ACS still held (the real-time pacing model) when it ended or
   *  was cut. ACS sends no acknowledgement; this is the model (docs/media.md). */
  heardMs: number;
}

/** Handle on one queued playback. ACS sends no playback acknowledgement: what was heard is modelled (docs/media.md). */
export interface PlayHandle {
  readonly id: string;
  /** Resolves when the playback played out ('completed') or was cut short ('cancelled'); see PlayResult. */
  readonly done: Promise<PlayResult>;
  /** Audio sent to ACS so far (ms). */
  readonly sentMs: number;
  /** Audio the caller has heard so far (ms): advances in real time as ACS plays it out. */
  readonly playedMs: number;
  cancel(): void;
}

/** A playback fed while it plays (a realtime model's audio deltas): paced at real time like a file (never skipped:
 *  audio arriving faster than real time is queued, bounded by maxQueuedMs with counted drops), resampled to the
 *  session rate with our resampler (src/audio, never linear interpolation). */
export interface PlayStream extends PlayHandle {
  /** Append PCM16 mono at the stream's sampleRate (any length; not necessarily whole frames). */
  write(samples: Int16Array): void;
  /** No more audio: `done` resolves once the rest has been sent (and played out, for heardMs). */
  end(): void;
}

/** A playback played out ('played') or was cut ('cut'): what the caller heard of it by the pacing model. */
export interface PlayoutEvent {
  playId: string;
  sentMs: number;
  heardMs: number;
  /** Session timeline ms at which the caller started hearing it (undefined if nothing was heard). */
  startTimelineMs: number | undefined;
}

/** A transcript line the app adds (session.addTranscript): written to transcript.jsonl and emitted as 'utterance'. */
export interface UtteranceEvent {
  speaker: string;
  text: string;
  /** Session timeline ms the line belongs to (default: the session's current timeline position). */
  timelineMs: number;
}

/** A session's JSON-able summary: what session.json and GET /api/sessions show. */
export interface SessionSummary {
  id: string;
  subscriptionId: string | undefined;
  callConnectionId: string | undefined;
  state: SessionState;
  url: string;
  sampleRate: number | undefined;
  channel: 'mixed' | 'unmixed' | undefined;
  startedAt: string;
  endedAt: string | undefined;
  recordingDir: string | undefined;
  participants: Array<{ trackId: string; participantRawId: string | undefined; file: string | undefined; frames: number; seconds: number }>;
  counts: {
    framesReceived: number;
    framesWritten: number;
    gapsFilled: number;
    duplicates: number;
    late: number;
    tooLate: number;
    rejected: number;
    recordingDropped: number;
    transcripts: number;
    dtmf: number;
    talkBackFrames: number;
    /** Talk-back frames not sent: live ones while ACS already held `talkBackLiveLeadMs` (PlaySource `live`), and
     *  playStream frames dropped over its `maxQueuedMs`. */
    talkBackSkipped: number;
    /** Playbacks that played out to their end ('played') and that were cut ('cut'). */
    talkBackPlayed: number;
    talkBackCut: number;
    connections: number;
    /** Gaps too long to fill with silence (over `maxGapFillMs`, or the session's fill bound): skipped instead. */
    discontinuities: number;
    /** Times the timeline moved to the clock of a run of frames that were all off it (docs/media.md §Timeline). */
    reanchors: number;
  };
}

/** Counters for /metrics; plain numbers, read at scrape time. */
export interface MediaHubStats {
  sessionsActive: number;
  sessionsTotal: number;
  framesByKind: Record<string, number>;
  bytesReceived: number;
  /** Every WebSocket message received, and what became of it: received = accepted + rejected once the hub is idle.
   *  Accepted includes frames then counted as duplicate or too late (SessionSummary counts). */
  messages: { received: number; accepted: number; rejected: number };
  rejectsByReason: Record<string, number>;
  gapsFilled: number;
  duplicates: number;
  lateFrames: number;
  recordingDroppedFrames: number;
  recordingQueueBytes: number;
  /** Failed recording file operations by reason (disk_full, read_only, permission, folder_missing, io). */
  recordingFailures: Record<string, number>;
  /** Recording files open now, against `maxRecordingFiles`. */
  recordingFilesOpen: number;
  /** Recent recording write latencies in ms since the last read (drained by the reader). */
  drainWriteLatenciesMs(): number[];
  talkBackFrames: number;
  talkBackSkipped: number;
  /** Playbacks played out ('played' events) and cut ('cut' events: stopAudio, cancel, socket gone, session end). */
  talkBackPlayed: number;
  talkBackCut: number;
  /** Sockets the media layer closed because a session exceeded a limit, by limit ('participants', 'frame_rate'). */
  limitClosures: Record<string, number>;
  /** Timeline discontinuities, by kind: 'gap' (skipped, not filled) and 'reanchor' (docs/media.md §Timeline). */
  timelineDiscontinuities: Record<string, number>;
}

/** A callback event linked to a call (what `hub.recordCallEvent` takes and the session's 'callEvent' carries). */
export interface SessionCallEvent {
  type: string;
  callConnectionId?: string;
  subscriptionId?: string;
  data: unknown;
  time?: string;
}

/** A participant's track appeared on the session's timeline. */
export interface ParticipantEvent {
  trackId: string;
  participantRawId: string | undefined;
}

/** A MediaSession's events and what each listener receives. A handler that throws is logged and isolated. */
export interface MediaSessionEvents {
  /** A committed frame of a track, in timeline order (reused object: copy what you keep). */
  audio: AudioFrame;
  transcript: TranscriptionDataPacket;
  dtmf: DtmfDataPacket;
  participant: ParticipantEvent;
  state: SessionState;
  /** The session ended: every file is finished. */
  end: SessionSummary;
  callEvent: SessionCallEvent;
  /** A sink threw and was detached (code ERR_MEDIA_SINK_FAILED, or the sink's own coded error). */
  sinkError: MediaError;
  /** A playback played out to its end (heardMs === sentMs). */
  played: PlayoutEvent;
  /** A playback was cut (stopAudio, cancel, socket gone, session end) with heardMs <= sentMs. */
  cut: PlayoutEvent;
  /** A transcript line added with session.addTranscript (not from ACS's transcription: that is 'transcript'). */
  utterance: UtteranceEvent;
}

/** A MediaHub's events. */
export interface MediaHubEvents {
  /** A socket's first metadata started a new session (not emitted for a reconnect that continues one). */
  session: MediaSession;
}

/** One call's media session: one per WebSocket, continued across ACS reconnects by subscriptionId. */
export interface MediaSession extends TypedEvents<MediaSessionEvents> {
  readonly id: string;
  readonly url: string;
  readonly query: URLSearchParams;
  readonly subscriptionId: string | undefined;
  readonly callConnectionId: string | undefined;
  readonly sampleRate: SampleRate | undefined;
  readonly state: SessionState;
  /** Attach a sink: it gets every committed frame from now on (docs/media.md §Sinks). */
  addSink(sink: Sink): void;
  /** Detach a sink without closing it; false when it was not attached. */
  removeSink(sink: Sink): boolean;
  play(source: PlaySource): PlayHandle;
  /** A playback fed while it plays (PlayStream); `maxQueuedMs` bounds its queue. @default maxQueuedMs 60000 */
  playStream(options: { sampleRate: number; maxQueuedMs?: number }): PlayStream;
  /** Barge-in: send StopAudio first, then cancel the current and every queued playback (their heardMs freeze). */
  stopAudio(): void;
  /** Add a line to the session's transcript (transcript.jsonl, the dashboard's transcript pane, NATS) for speech the
   *  session did not get from ACS's transcription, e.g. a voice agent's caller and agent transcripts. */
  addTranscript(entry: { speaker: string; text: string; timelineMs?: number }): void;
  summary(): SessionSummary;
}

/** Options for the media hub: everything has a default. */
export interface MediaHubOptions {
  /** Folder for recordings; null disables recording. @default './recordings' */
  recordingsDir?: string | null;
  /** pino logger. @default a silent logger */
  logger?: import('pino').Logger;
  /** Injectable clock (epoch ms). @default Date.now */
  now?: () => number;
  /** How far behind the newest frame a late frame may arrive and still be put in place. @default 200 */
  lateWindowMs?: number;
  /** Recording memory bound per session in bytes; past it frames are dropped and counted. @default 4194304 (4 MiB) */
  maxRecordingQueueBytes?: number;
  /** How many ended sessions' summaries stay in `sessions()`. @default 100 */
  keepRecentSessions?: number;
  /** After an abnormal close (not 1000), how long a session waits 'interrupted' for ACS to reconnect. @default 10000 */
  reconnectGraceMs?: number;
  /** How often queued recording data is flushed to disk (a crash loses at most this much). WAV headers are rewritten
   *  on every 5th flush and at close, so a WAV read while its call runs may end up to 5 flushes early. @default 1000 */
  flushIntervalMs?: number;
  /** A frame whose timestamp jumps further ahead than this is rejected ('timestamp_jump'). @default 3600000 */
  maxTimestampJumpMs?: number;
  /** The longest gap in a session's frames that is filled with silence; a longer one is skipped, the timeline
   *  continuing right after its newest slot, and recorded as a discontinuity (docs/media.md §Timeline). @default 5000 */
  maxGapFillMs?: number;
  /** Talk-back frames may be sent this long before their due time. @default 20 */
  talkBackLeadMs?: number;
  /** Live talk-back (PlaySource `live`): the most audio ACS may hold for a session before live frames are skipped.
   *  @default 100 */
  talkBackLiveLeadMs?: number;
  /** Sessions held at once: live ones and interrupted ones waiting `reconnectGraceMs` for their socket to come back.
   *  A new session past it is refused (its socket closed with 4005); reconnects of held sessions always go through.
   *  @default 2000 */
  maxSessions?: number;
  /** Recording files (WAVs) open at once across all sessions: each is a file descriptor until its session ends. A
   *  new session is refused (4005) while they are all taken, and a new track past it is not recorded (its frames are
   *  counted as lost, `file_limit`) until files free up. Keep it under the process's open-file limit (`ulimit -n`)
   *  minus the sockets (docs: README §Sizing). @default 8192 */
  maxRecordingFiles?: number;
  /** Distinct participants (tracks) per session; frames of any further participant are rejected (`participant_limit`). @default 64 */
  maxParticipants?: number;
  /** Frames per second per track, averaged over `frameRateWindowS`; more closes the socket with 4002.
   *  ACS sends 50/s; the default leaves room for catch-up after a reconnect and for accelerated emulator runs. @default 250 */
  maxFrameRate?: number;
  /** The burst the frame-rate limit allows: this many seconds' worth of frames at `maxFrameRate`. @default 10 */
  frameRateWindowS?: number;
  /** Audio channel type; 'auto' = unmixed when the first frame names a participant. @default 'auto' */
  channel?: 'auto' | 'mixed' | 'unmixed';
  /** Unmixed sessions: also write `mixdown.wav`, every track summed. Off, only the per-participant WAVs are written, which
   *  saves 2.5–3 µs of CPU per frame (a quarter of the media path's, bench/README.md). @default true */
  recordMix?: boolean;
  /** Opens each recording WAV: for fault injection (a stalling or failing disk) or custom storage. @default fs.promises.open */
  openRecordingFile?: import('../audio/index.js').OpenFile;
  /** Session id factory; the ID names the recording folder. One that a live or recent session already has gets
   *  `-2`, `-3`, … appended. @default `<UTC timestamp>-<12 hex>` */
  createId?: () => string;
}

/** The media layer: sessions for every connection. */
export interface MediaHub extends TypedEvents<MediaHubEvents> {
  connect(info: ConnectionInfo): MediaConnection;
  /** Live and recent sessions. */
  sessions(): MediaSession[];
  get(id: string): MediaSession | undefined;
  /** A callback event linked to a call: links callConnectionId ↔ subscriptionId and appends to events.jsonl. */
  recordCallEvent(event: SessionCallEvent): void;
  stats(): MediaHubStats;
  /** End every session and finish every file. Idempotent. */
  close(): Promise<void>;
}
