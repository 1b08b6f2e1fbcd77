// One call's media session: packets in (session.accept) → tracks on a shared timeline → sinks (recorder, mix, app
// events). Lives across ACS reconnects (same subscriptionId); talk-back goes out through the current socket.
import type { Logger } from 'pino';
import type {
  AudioDataPacket,
  AudioMetadataPacket,
  DtmfDataPacket,
  InboundPacket,
  SampleRate,
  TranscriptionDataPacket,
  TranscriptionMetadataPacket,
} from '../protocol/index.js';
import type { AudioFrame, MediaSession, MediaSessionEvents, PlayHandle, PlayoutEvent, PlaySource, PlayStream, SessionCallEvent, SessionState, SessionSummary, Sink } from './contract.js';
import { SessionLimitCloseCode } from './contract.js';
import type { Connection as AnyConnection } from './connection.js';

type Connection = AnyConnection<Session>;
import type { MediaCounters } from './counters.js';
import { MediaError, MediaErrorCode } from './media-error.js';
import type { PlayScheduler } from './play-scheduler.js';
import { checkRate, createFrameSource } from './play-source.js';
import { checkMaxQueuedMs, DEFAULT_STREAM_QUEUE_MS, PlayStreamHandle, PushFrames } from './play-stream.js';
import { toUtterance } from './utterance.js';
import { mixTalkBackFiles } from './mix-files.js';
import { SafeEmitter, type Listener } from './safe-emitter.js';
import { SinkFanout, type SinkFailureListener } from './sink-fanout.js';
import { recordingDirFor, SessionRecording } from './session-recording.js';
import { TalkBack, type TalkBackPort } from './talk-back.js';
import { TalkBackTrack, type TalkBackTrackHost } from './talk-back-track.js';
import { createTrackId } from './track-id.js';
import { FRAME_MS, Track, type TrackCounts, type TrackOutput } from './track.js';
import { frameBytes, frameSamples, type OpenFile } from '../audio/index.js';

/** Settings a session takes from the hub. */
export interface SessionSettings {
  now: () => number;
  logger: Logger;
  recordingsDir: string | null;
  lateWindowMs: number;
  maxRecordingQueueBytes: number;
  maxTimestampJumpMs: number;
  maxGapFillMs: number;
  reconnectGraceMs: number;
  channel: 'auto' | 'mixed' | 'unmixed';
  recordMix: boolean;
  scheduler: PlayScheduler;
  maxParticipants: number;
  maxFrameRate: number;
  openRecordingFile: OpenFile | undefined;
  frameRateWindowS: number;
  talkBackLiveLeadMs: number;
  /** The hub-wide ledger, incremented directly on the frame path. */
  counters: MediaCounters;
}

/** Calls back into the hub: only at the session's end (counting goes to `settings.counters` directly). */
export interface SessionHost {
  sessionEnded(session: Session): void;
}

type Counts = SessionSummary['counts'];

/** A run of frames off the timeline this long (by their timestamps) re-anchors it on them. */
const REANCHOR_AFTER_MS = 1000;
/** Discontinuities listed in session.json; further ones are only counted. */
const MAX_LISTED_DISCONTINUITIES = 100;

/** A point where the timeline did not follow the frames' clock (session.json `discontinuities`, docs/media.md §Timeline). */
interface TimelineDiscontinuity {
  /** 'gap': a gap too long to fill was skipped; 'reanchor': the timeline moved to the clock of a run of frames off it. */
  kind: 'gap' | 'reanchor';
  /** Where the timeline continues (the frame placed right after the newest slot). */
  timelineMs: number;
  /** That frame's timestamp minus the one the timeline expected there (negative: the clock went back). */
  skippedMs: number;
  expectedTimestamp: string;
  /** That frame's wire timestamp. */
  timestamp: string;
}

/** A MediaSession: one per call, one or more sockets over its life. */
export class Session implements MediaSession, TrackOutput, TalkBackPort, TalkBackTrackHost, SinkFailureListener {
  readonly query: URLSearchParams;
  readonly counts: Counts = {
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
  kind: 'audio' | 'transcription' | undefined;
  metadata: AudioMetadataPacket | TranscriptionMetadataPacket | undefined;
  connection: Connection | undefined;
  recording: SessionRecording | undefined;
  endReason: string | undefined;
  private stateValue: SessionState = 'connecting';
  private subscription: string | undefined;
  private callConnection: string | undefined;
  private rate: SampleRate | undefined;
  private channel: 'mixed' | 'unmixed' | undefined;
  private readonly startedAtMs: number;
  private endedAtMs: number | undefined;
  private readonly emitter: SafeEmitter<MediaSessionEvents>;
  private readonly logger: Logger;
  private readonly talkBack: TalkBack;
  private readonly talkBackTrack: TalkBackTrack;
  /** Hub-clock epoch ms at which the first inbound frame (timeline slot 0) arrived: maps talk-back onto the timeline. */
  private timelineAnchorMs: number | undefined;
  private talkBackMixed = false;
  private readonly tracks: Track[] = [];
  private readonly trackByParticipant = new Map<string | undefined, Track>();
  private readonly takenTrackIds = new Set<string>();
  private readonly sinks = new SinkFanout(this);
  private originMs: number | undefined;
  private highestSlot = -1;
  private windowSlots: number;
  /** Far behind the newest slot (late window + maxGapFillMs): such a frame is off the timeline. */
  private behindSlots: number;
  /** Hub-clock epoch ms of the first frame, and the gap silence filled since (the per-session fill bound). */
  private timelineStartedAtMs = 0;
  private filledGapMs = 0;
  /** The run of frames off the timeline that would re-anchor it: its first and newest timestamps. */
  private runActive = false;
  private runFirstMs = 0;
  private runNewestMs = 0;
  private readonly discontinuities: TimelineDiscontinuity[] = [];
  private silence = new Int16Array(0);
  private spf = 0;
  private graceTimer: NodeJS.Timeout | undefined;
  private ending: Promise<void> | undefined;
  private readonly rejectedReasons = new Set<string>();
  private limitClosedConnection: Connection | undefined;

  constructor(
    readonly id: string,
    readonly url: string,
    private readonly settings: SessionSettings,
    private readonly host: SessionHost,
    callConnectionId: string | undefined,
  ) {
    this.query = new URL(url, 'ws://localhost').searchParams;
    this.callConnection = callConnectionId;
    this.startedAtMs = settings.now();
    this.logger = settings.logger.child({ sessionId: id });
    this.emitter = new SafeEmitter<MediaSessionEvents>(this.logger, {});
    this.talkBack = new TalkBack(this, this.logger, {}, settings.talkBackLiveLeadMs, settings.now);
    this.talkBackTrack = new TalkBackTrack(this, this.logger);
    this.windowSlots = Math.max(0, Math.ceil(settings.lateWindowMs / FRAME_MS));
    this.behindSlots = this.windowSlots + Math.ceil(settings.maxGapFillMs / FRAME_MS);
  }

  get subscriptionId(): string | undefined {
    return this.subscription;
  }
  get callConnectionId(): string | undefined {
    return this.callConnection;
  }
  get sampleRate(): SampleRate | undefined {
    return this.rate;
  }
  get state(): SessionState {
    return this.stateValue;
  }
  /** Still taking packets (not ended or ending). */
  get live(): boolean {
    return this.ending === undefined;
  }

  on<K extends keyof MediaSessionEvents & string>(event: K, listener: Listener<MediaSessionEvents, K>): this {
    this.emitter.on(event, listener);
    return this;
  }

  once<K extends keyof MediaSessionEvents & string>(event: K, listener: Listener<MediaSessionEvents, K>): this {
    this.emitter.once(event, listener);
    return this;
  }

  off<K extends keyof MediaSessionEvents & string>(event: K, listener: Listener<MediaSessionEvents, K>): this {
    this.emitter.off(event, listener);
    return this;
  }

  /** Attach a sink: it gets every committed frame from now on, before app 'audio' listeners. */
  addSink(sink: Sink): void {
    this.sinks.add(sink);
  }

  /** Detach a sink without closing it. */
  removeSink(sink: Sink): boolean {
    return this.sinks.remove(sink);
  }

  /** Learn the format and subscription from the first metadata packet; opens the recording folder. */
  start(packet: AudioMetadataPacket | TranscriptionMetadataPacket, connection: Connection): void {
    this.metadata = packet;
    this.subscription = packet.subscriptionId;
    if (packet.kind === 'AudioMetadata') {
      this.kind = 'audio';
      this.rate = packet.sampleRate;
      this.spf = frameSamples(packet.sampleRate);
      this.silence = new Int16Array(this.spf);
      connection.parseOptions.expectedFrameBytes = frameBytes(packet.sampleRate);
    } else {
      this.kind = 'transcription';
      this.callConnection ??= packet.callConnectionId;
    }
    const root = this.settings.recordingsDir;
    if (root !== null) {
      // A transcription session writes no WAV; its recording still wants a format.
      const rate = this.rate ?? 16000;
      this.recording = new SessionRecording(
        recordingDirFor(root, this.startedAtMs, this.id),
        rate,
        this.settings.maxRecordingQueueBytes,
        this.logger,
        {},
        this.rate === undefined ? new Int16Array(frameSamples(rate)) : this.silence,
        this.settings.openRecordingFile,
      );
      this.sinks.add(this.recording.recorder);
    }
    this.setState('streaming');
  }

  /** True when `packet` may continue this session on a new socket (same subscription, same format). */
  canContinue(packet: AudioMetadataPacket | TranscriptionMetadataPacket): boolean {
    if (!this.live || this.metadata === undefined || this.metadata.kind !== packet.kind) return false;
    return packet.kind !== 'AudioMetadata' || packet.sampleRate === this.rate;
  }

  /** A reconnect: continue on `connection`; the timeline fills the outage with silence by timestamps. */
  continueOn(connection: Connection, absorbed: Session): void {
    if (this.graceTimer !== undefined) clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    const previous = this.connection;
    if (previous !== undefined && previous !== connection) previous.supersede();
    this.connection = connection;
    connection.session = this;
    connection.parseOptions.expectedFrameBytes = this.rate === undefined ? undefined : frameBytes(this.rate);
    this.counts.connections++;
    this.counts.rejected += absorbed.counts.rejected;
    this.logger.info({ connections: this.counts.connections }, 'media: stream reconnected; session continues');
    this.setState('streaming');
  }

  /** A transcription socket of this call: its TranscriptionData lands here (transcript.jsonl, 'transcript'). */
  adoptTranscription(connection: Connection, packet: TranscriptionMetadataPacket): void {
    connection.session = this;
    this.recording?.events.append({ time: new Date(this.settings.now()).toISOString(), type: 'TranscriptionMetadata', data: packet });
    this.logger.info({ locale: packet.locale }, 'media: transcription socket joined the session');
  }

  /** Link the call (from callback events or the socket's headers). */
  linkCall(callConnectionId: string): void {
    this.callConnection ??= callConnectionId;
  }

  /** One parsed packet from the current socket. */
  accept(packet: InboundPacket): void {
    switch (packet.kind) {
      case 'AudioData':
        if (this.kind !== 'audio') return this.reject(this.kind === undefined ? 'before_metadata' : 'unexpected_kind', 'AudioData');
        return this.placeAudio(packet);
      case 'DtmfData':
        if (this.metadata === undefined) return this.reject('before_metadata', 'DtmfData');
        return this.acceptDtmf(packet);
      case 'TranscriptionData':
        if (this.metadata === undefined) return this.reject('before_metadata', 'TranscriptionData');
        return this.acceptTranscript(packet);
      case 'AudioMetadata':
      case 'TranscriptionMetadata':
        return this.reject('unexpected_metadata', `a second ${packet.kind} on the same socket is ignored`);
    }
  }

  /** Count a rejected message (hub counts it by reason); the first of each reason is logged. */
  reject(reason: string, detail: string): void {
    this.counts.rejected++;
    this.settings.counters.rejected(reason);
    if (!this.rejectedReasons.has(reason)) {
      this.rejectedReasons.add(reason);
      this.logger.warn({ reason, detail }, 'media: packet rejected (further rejections for this reason are only counted)');
    }
  }

  /** Put a frame on the timeline; every track then commits what is older than the late window. */
  private placeAudio(packet: AudioDataPacket): void {
    this.counts.framesReceived++;
    if (packet.samples.length !== this.spf) return this.reject('bad_length', `${packet.samples.length} samples, expected ${this.spf}`);
    if (this.originMs === undefined) this.startTimeline(packet);
    let slot = Math.round((packet.timestampMs - (this.originMs as number)) / FRAME_MS);
    const jump = (slot - this.highestSlot) * FRAME_MS > this.settings.maxTimestampJumpMs;
    if (slot < 0 || jump || slot < this.highestSlot - this.behindSlots) {
      if (!jump && slot >= 0 && this.trackByParticipant.get(this.keyOf(packet.participantRawID))?.holds(slot) === true) {
        this.counts.duplicates++;
        this.settings.counters.accepted();
        return;
      }
      if (!this.continuesRun(packet.timestampMs)) {
        if (jump) return this.reject('timestamp_jump', `timestamp ${packet.timestamp} jumps ${((slot - this.highestSlot) * FRAME_MS) / 1000} s ahead`);
        this.counts.tooLate++;
        this.settings.counters.accepted();
        return;
      }
      slot = this.highestSlot + 1;
      this.shiftTo(slot, 'reanchor', packet);
    }
    this.runActive = false;
    const track = this.trackFor(packet.participantRawID);
    if (track === undefined) return this.reject('participant_limit', `more than ${this.settings.maxParticipants} participants`);
    if (!this.withinFrameRate(track)) return this.reject('frame_rate_limit', `track ${track.id} over ${this.settings.maxFrameRate} frames/s`);
    const gapMs = (slot - this.highestSlot - 1) * FRAME_MS;
    if (gapMs > 0 && this.highestSlot >= 0) {
      // Bounded per gap and per session (no more silence than time has passed, plus one gap): past either, the
      // timeline skips the gap instead of writing minutes of zeros on every track.
      const budgetMs = this.settings.maxGapFillMs + this.settings.now() - this.timelineStartedAtMs;
      if (gapMs > this.settings.maxGapFillMs || this.filledGapMs + gapMs > budgetMs) {
        slot = this.highestSlot + 1;
        this.shiftTo(slot, 'gap', packet);
      } else {
        this.filledGapMs += gapMs;
      }
    }
    if (slot > this.highestSlot) this.highestSlot = slot;
    track.place(slot, packet);
    this.settings.counters.accepted();
    const commitBelow = this.highestSlot - this.windowSlots;
    for (let i = 0; i < this.tracks.length; i++) this.tracks[i].advanceTo(commitBelow);
  }

  /** An off-timeline frame at `timestampMs`: true when it completes a run of consistent ones long enough to re-anchor. */
  private continuesRun(timestampMs: number): boolean {
    const follows = timestampMs >= this.runNewestMs - this.settings.lateWindowMs - FRAME_MS && timestampMs <= this.runNewestMs + this.settings.maxGapFillMs;
    if (this.runActive && follows) {
      if (timestampMs > this.runNewestMs) this.runNewestMs = timestampMs;
    } else {
      this.runActive = true;
      this.runFirstMs = timestampMs;
      this.runNewestMs = timestampMs;
    }
    return this.runNewestMs - this.runFirstMs >= REANCHOR_AFTER_MS;
  }

  /** A discontinuity: `packet` goes at `slot` (right after the newest one), and the timeline's clock follows it. */
  private shiftTo(slot: number, kind: TimelineDiscontinuity['kind'], packet: AudioDataPacket): void {
    const expectedMs = (this.originMs as number) + slot * FRAME_MS;
    this.originMs = packet.timestampMs - slot * FRAME_MS;
    this.timelineAnchorMs = this.settings.now() - slot * FRAME_MS;
    this.runActive = false;
    if (kind === 'gap') this.counts.discontinuities++;
    else this.counts.reanchors++;
    this.settings.counters.discontinuity(kind);
    const entry: TimelineDiscontinuity = { kind, timelineMs: slot * FRAME_MS, skippedMs: packet.timestampMs - expectedMs, expectedTimestamp: new Date(expectedMs).toISOString(), timestamp: packet.timestamp };
    if (this.discontinuities.length < MAX_LISTED_DISCONTINUITIES) this.discontinuities.push(entry);
    if (this.counts.discontinuities + this.counts.reanchors === 1) {
      this.logger.warn(entry, 'media: timeline discontinuity (each is counted and listed in session.json; further ones are not logged)');
    }
  }

  /** Token bucket per track on arrival time: a sustained flood closes the socket; ACS's own catch-up fits the burst. */
  private withinFrameRate(track: Track): boolean {
    const now = this.settings.now();
    const rate = this.settings.maxFrameRate;
    const capacity = rate * this.settings.frameRateWindowS;
    const tokens = Math.min(capacity, track.rateTokens + ((now - track.rateCheckedAt) * rate) / 1000);
    track.rateCheckedAt = now;
    if (tokens < 1) {
      track.rateTokens = tokens;
      this.closeForLimit('frame_rate', SessionLimitCloseCode.FrameRate, `frame rate limit: track ${track.id} sent more than ${rate} frames/s (maxFrameRate / --max-frame-rate)`);
      return false;
    }
    track.rateTokens = tokens - 1;
    return true;
  }

  /** Close the current socket once for a limit; further packets on it are rejected and counted by reason. */
  private closeForLimit(limit: string, code: number, reason: string): void {
    const connection = this.connection;
    if (connection === undefined || this.limitClosedConnection === connection) return;
    this.limitClosedConnection = connection;
    this.settings.counters.limitClosed(limit);
    this.logger.warn({ limit, code, reason }, 'media: session exceeded a limit; closing its socket');
    connection.info.close(code, reason);
  }

  private startTimeline(packet: AudioDataPacket): void {
    this.originMs = packet.timestampMs;
    this.timelineAnchorMs = this.settings.now();
    this.timelineStartedAtMs = this.timelineAnchorMs;
    const configured = this.settings.channel;
    this.channel = configured !== 'auto' ? configured : packet.participantRawID ? 'unmixed' : 'mixed';
    if (this.channel === 'unmixed' && this.recording !== undefined && this.settings.recordMix) {
      this.sinks.add(this.recording.enableMix(this.windowSlots + 1));
    }
  }

  /** The key of a participant's track: one track for mixed audio, `unknown` for frames without a participant. */
  private keyOf(rawId: string | undefined): string | undefined {
    return this.channel === 'mixed' ? undefined : rawId || undefined;
  }

  /** The participant's track, created on first sight; undefined for a new participant past the limit. */
  private trackFor(rawId: string | undefined): Track | undefined {
    const key = this.keyOf(rawId);
    const existing = this.trackByParticipant.get(key);
    if (existing !== undefined) return existing;
    // One speaker too many loses that speaker's frames (rejected as participant_limit, counted, logged once), not the
    // call: closing the socket would drop every track, and again after each reconnect.
    if (this.tracks.length >= this.settings.maxParticipants) return undefined;
    const trackId = this.channel === 'mixed' ? 'mixed' : key === undefined ? 'unknown' : createTrackId(key, this.takenTrackIds);
    const track = new Track(trackId, key, this.rate as SampleRate, this, this.windowSlots, this.silence, this.counts, this);
    this.tracks.push(track);
    this.trackByParticipant.set(key, track);
    this.emitter.emit('participant', { trackId, participantRawId: key });
    return track;
  }

  /** TrackOutput: a committed frame goes to every sink, then to app 'audio' listeners. */
  deliver(frame: AudioFrame): void {
    this.sinks.write(frame);
    this.emitter.emit('audio', frame);
  }

  /** SinkFailureListener: a sink threw (or its close rejected) and was detached. */
  sinkFailed(sink: Sink, error: MediaError): void {
    this.logger.error({ sink: sink.name, err: error }, 'media: a sink threw; it was detached and the other sinks go on');
    this.emitter.emit('sinkError', error);
  }

  private acceptDtmf(packet: DtmfDataPacket): void {
    this.counts.dtmf++;
    this.settings.counters.accepted();
    this.recording?.events.append({
      time: new Date(this.settings.now()).toISOString(),
      type: 'DtmfData',
      tone: packet.tone,
      data: packet.data,
      timestamp: packet.timestamp,
      participantRawID: packet.participantRawID,
    });
    this.emitter.emit('dtmf', packet);
  }

  private acceptTranscript(packet: TranscriptionDataPacket): void {
    this.counts.transcripts++;
    this.settings.counters.accepted();
    this.recording?.transcript.append({
      receivedAt: new Date(this.settings.now()).toISOString(),
      resultStatus: packet.resultStatus,
      text: packet.text,
      format: packet.format,
      confidence: packet.confidence,
      offsetTicks: packet.offsetTicks,
      durationTicks: packet.durationTicks,
      participantRawID: packet.participantRawID,
      words: packet.words,
      ...(Object.keys(packet.extra).length > 0 ? { extra: packet.extra } : {}),
    });
    this.emitter.emit('transcript', packet);
  }

  /** A callback event for this call (hub.recordCallEvent): appended to events.jsonl. */
  recordCallEvent(event: SessionCallEvent): void {
    if (event.callConnectionId !== undefined) this.linkCall(event.callConnectionId);
    this.recording?.events.append({
      time: event.time ?? new Date(this.settings.now()).toISOString(),
      type: event.type,
      callConnectionId: event.callConnectionId,
      data: event.data,
    });
    // After the session ended no flush timer runs for it: write a late event (often CallDisconnected) at once.
    if (!this.live && this.recording !== undefined) {
      this.recording.events.flush().catch((err: unknown) => this.logger.error({ err }, 'media: could not append a late call event to events.jsonl'));
    }
    this.emitter.emit('callEvent', event);
  }

  play(source: PlaySource): PlayHandle {
    this.checkCanPlay('play');
    const live = 'live' in source && source.live === true;
    const handle = this.talkBack.enqueue(createFrameSource(source, this.rate as SampleRate, this.wakeTalkBack), this.id, live);
    this.settings.scheduler.wake(this.talkBack, live);
    return handle;
  }

  playStream(options: { sampleRate: number; maxQueuedMs?: number }): PlayStream {
    this.checkCanPlay('playStream');
    checkRate(options.sampleRate);
    const maxQueuedMs = options.maxQueuedMs ?? DEFAULT_STREAM_QUEUE_MS;
    checkMaxQueuedMs(maxQueuedMs);
    const source = new PushFrames(options.sampleRate, this.rate as SampleRate, Math.ceil(maxQueuedMs / FRAME_MS), this.wakeTalkBack);
    const playback = this.talkBack.enqueue(source, this.id);
    this.settings.scheduler.wake(this.talkBack);
    return new PlayStreamHandle(playback, source, this.countSkippedFrame);
  }

  private checkCanPlay(what: string): void {
    if (!this.live) throw new MediaError(MediaErrorCode.ConnectionClosed, `${what}: session ${this.id} has ended`);
    if (this.rate === undefined) {
      throw new MediaError(MediaErrorCode.NotReady, `${what}: session ${this.id} has no audio format yet; wait for the 'session' event (AudioMetadata)`);
    }
    if (this.connection === undefined || !this.connection.open) {
      throw new MediaError(MediaErrorCode.ConnectionClosed, `${what}: session ${this.id} has no open socket (state ${this.stateValue})`);
    }
  }

  private readonly countSkippedFrame = (): void => this.countSkipped();

  stopAudio(): void {
    this.talkBack.stop();
  }

  addTranscript(entry: { speaker: string; text: string; timelineMs?: number }): void {
    const utterance = toUtterance(entry, this.timelineMsAt(this.settings.now()));
    this.recording?.transcript.append({ receivedAt: new Date(this.settings.now()).toISOString(), ...utterance });
    this.emitter.emit('utterance', utterance);
  }

  /** TalkBackPort: a heard frame goes on the talk-back track. */
  heard(samples: Int16Array, startMs: number): void {
    this.talkBackTrack.place(samples, startMs);
  }
  /** TalkBackPort */
  playout(kind: 'played' | 'cut', event: PlayoutEvent): void {
    if (kind === 'played') this.counts.talkBackPlayed++;
    else this.counts.talkBackCut++;
    this.emitter.emit(kind, event);
  }
  /** TalkBackPort, TalkBackTrackHost */
  timelineMsAt(ms: number): number | undefined {
    return this.timelineAnchorMs === undefined ? undefined : ms - this.timelineAnchorMs;
  }
  /** TalkBackTrackHost */
  get timelineOriginMs(): number | undefined {
    return this.originMs;
  }
  /** TalkBackTrackHost: the talk-back track joins the timeline like a participant. */
  addTrack(trackId: string, counts: TrackCounts): Track {
    const track = new Track(trackId, undefined, this.rate as SampleRate, this, this.windowSlots, this.silence, counts, this);
    this.tracks.push(track);
    this.emitter.emit('participant', { trackId, participantRawId: undefined });
    return track;
  }

  private readonly wakeTalkBack = (): void => {
    this.settings.scheduler.wake(this.talkBack);
  };

  /** TalkBackPort: send on the current socket. */
  send(text: string): boolean {
    return this.connection?.send(text) ?? false;
  }
  /** TalkBackPort */
  bufferedAmount(): number {
    return this.connection?.info.bufferedAmount() ?? 0;
  }
  /** TalkBackPort */
  countFrame(): void {
    this.counts.talkBackFrames++;
  }
  /** TalkBackPort */
  countSkipped(): void {
    this.counts.talkBackSkipped++;
  }

  /** The socket closed: a normal close (1000) ends the session; otherwise wait for a reconnect for a grace period. */
  connectionClosed(connection: Connection, code: number, reason: string): void {
    if (connection !== this.connection || !this.live) return;
    this.connection = undefined;
    this.talkBack.cancelAll();
    if (this.metadata === undefined) {
      void this.end(`socket closed before metadata (${code} ${reason})`);
    } else if (code === 1000 || this.settings.reconnectGraceMs <= 0) {
      void this.end(`socket closed (${code}${reason ? ` ${reason}` : ''})`);
    } else {
      this.logger.warn({ code, reason, graceMs: this.settings.reconnectGraceMs }, 'media: stream interrupted; waiting for ACS to reconnect');
      this.setState('interrupted');
      this.graceTimer = setTimeout(() => void this.end(`interrupted and not reconnected within ${this.settings.reconnectGraceMs} ms`), this.settings.reconnectGraceMs);
    }
  }

  /** End the session: finish the timeline, close every sink and file, write session.json, emit 'end'. Idempotent. */
  end(reason: string): Promise<void> {
    this.ending ??= this.finish(reason);
    return this.ending;
  }

  private async finish(reason: string): Promise<void> {
    this.endReason = reason;
    if (this.graceTimer !== undefined) clearTimeout(this.graceTimer);
    this.talkBack.cancelAll();
    for (let i = 0; i < this.tracks.length; i++) this.tracks[i].finish(this.highestSlot + 1);
    await this.recording?.ready.catch(() => undefined);
    await this.sinks.closeAll();
    await this.mixTalkBack();
    this.endedAtMs = this.settings.now();
    this.setState(this.metadata === undefined ? 'failed' : 'ended');
    if (this.recording !== undefined) {
      await this.recording.flush();
      await this.recording.writeSummary(this.fileSummary()).catch((err: unknown) => {
        this.logger.error({ err }, 'media: could not write session.json');
      });
    }
    this.logger.info({ reason, counts: this.counts }, 'media: session ended');
    this.host.sessionEnded(this);
    this.emitter.emit('end', this.summary());
  }

  /** A mixed session with talk-back gets mix.wav (mixed + talk-back) once its files are finished (mix-files.ts). */
  private async mixTalkBack(): Promise<void> {
    const r = this.recording;
    if (r === undefined || r.mix !== undefined || !this.settings.recordMix || this.talkBackTrack.track === undefined || r.recorder.fileOf('mixed') === undefined) return;
    try {
      await mixTalkBackFiles(r.dir, r.sampleRate, this.settings.openRecordingFile);
      this.talkBackMixed = true;
    } catch (err) {
      this.logger.error({ err }, 'media: could not write mix.wav from mixed.wav and talk-back.wav');
    }
  }

  /** Flush queued recording data (hub timer); resolves with the write latency in ms, or undefined. */
  async flushRecording(writeSummary: boolean): Promise<number | undefined> {
    if (this.recording === undefined || !this.live) return undefined;
    const latency = await this.recording.flush();
    if (writeSummary && this.live) await this.recording.writeSummary(this.fileSummary()).catch(() => undefined);
    return latency;
  }

  /** Bytes of recording waiting for disk. */
  get recordingQueueBytes(): number {
    return this.recording?.queuedBytes ?? 0;
  }

  private setState(state: SessionState): void {
    if (this.stateValue === state) return;
    this.stateValue = state;
    this.emitter.emit('state', state);
  }

  summary(): SessionSummary {
    if (this.recording !== undefined) this.counts.recordingDropped = this.recording.budget.dropped;
    this.counts.framesWritten = this.recording?.recorder.framesWritten ?? 0;
    return {
      id: this.id,
      subscriptionId: this.subscription,
      callConnectionId: this.callConnection,
      state: this.stateValue,
      url: this.url,
      sampleRate: this.rate,
      channel: this.channel,
      startedAt: new Date(this.startedAtMs).toISOString(),
      endedAt: this.endedAtMs === undefined ? undefined : new Date(this.endedAtMs).toISOString(),
      recordingDir: this.recording?.dir,
      participants: this.tracks.map((t) => ({
        trackId: t.id,
        participantRawId: t.participantRawId,
        file: this.recording?.recorder.fileOf(t.id),
        frames: t.frames,
        seconds: (t.frames * FRAME_MS) / 1000,
      })),
      counts: { ...this.counts },
    };
  }

  /** session.json: the summary plus the format, why it ended and what went wrong. */
  private fileSummary(): unknown {
    return {
      ...this.summary(),
      kind: this.kind,
      format: this.metadata,
      mixFile: this.recording?.mix === undefined && !this.talkBackMixed ? undefined : 'mix.wav',
      endReason: this.endReason,
      discontinuities: this.discontinuities,
      recordingIncomplete: this.counts.recordingDropped > 0 || this.sinks.errors.length > 0,
      sinkErrors: this.sinks.errors,
      listenerErrors: this.emitter.listenerErrors,
    };
  }
}
