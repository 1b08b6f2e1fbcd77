// One call's media session: packets in (session.accept) → tracks on a shared timeline → sinks (recorder, mix, app
// events). Lives across ACS reconnects (same subscriptionId); talk-back goes out through the current socket.
import type { Logger } from 'pino';
import type { AudioDataPacket, AudioMetadataPacket, DtmfDataPacket, InboundPacket, SampleRate, TranscriptionDataPacket, TranscriptionMetadataPacket } from '../protocol/index.js';
import { frameBytesFor } from '../protocol/index.js';
import type { MediaSession, MediaSessionEvents, ParticipantEvent, PlayHandle, PlaySource, PlayStream, SessionCallEvent, SessionState, SessionSummary, Sink } from './contract.js';
import { SessionLimitCloseCode } from './contract.js';
import type { Connection as AnyConnection } from './connection.js';
import { newSessionCounts } from './counters.js';
import type { RecordingFileSlots } from './recording-budget.js';
import type { PlayScheduler } from './play-scheduler.js';
import { toUtterance } from './utterance.js';
import { EmitterDoor, SafeEmitter } from './safe-emitter.js';
import { SinkFanout } from './sink-fanout.js';
import { SessionRecording } from './session-recording.js';
import { SessionTalkBack, type TalkBackSession } from './session-talk-back.js';
import { Timeline, type TimelineEvents, type TimelineSettings } from './timeline.js';
import { FRAME_MS, frameSamples, type OpenFile } from '../audio/index.js';

/** Settings a session takes from the hub (its timeline's among them). */
export interface SessionSettings extends TimelineSettings {
  recordingsDir: string | null;
  maxRecordingQueueBytes: number;
  reconnectGraceMs: number;
  recordMix: boolean;
  scheduler: PlayScheduler;
  openRecordingFile: OpenFile | undefined;
  talkBackLiveLeadMs: number;
  /** Open recording files across the hub (maxRecordingFiles). */
  recordingFiles: RecordingFileSlots;
}

/** Calls back into the hub: only at the session's end (counting goes to `settings.counters` directly). */
export interface SessionHost {
  sessionEnded(session: Session): void;
}

type Counts = SessionSummary['counts'];

type Connection = AnyConnection<Session>;

/** A MediaSession: one per call, one or more sockets over its life. */
export class Session extends EmitterDoor<MediaSessionEvents> implements MediaSession, TimelineEvents, TalkBackSession {
  readonly query: URLSearchParams;
  readonly counts: Counts = newSessionCounts();
  kind: 'audio' | 'transcription' | undefined;
  metadata: AudioMetadataPacket | TranscriptionMetadataPacket | undefined;
  connection: Connection | undefined;
  recording: SessionRecording | undefined;
  endReason: string | undefined;
  private stateValue: SessionState = 'connecting';
  private subscription: string | undefined;
  private callConnection: string | undefined;
  private rate: SampleRate | undefined;
  private readonly startedAtMs: number;
  private endedAtMs: number | undefined;
  private readonly logger: Logger;
  private readonly talkBack: SessionTalkBack;
  private timeline: Timeline | undefined;
  private talkBackMixed = false;
  private readonly sinks: SinkFanout;
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
    const logger = settings.logger.child({ sessionId: id });
    super(new SafeEmitter<MediaSessionEvents>(logger, {}));
    this.logger = logger;
    this.query = new URL(url, 'ws://localhost').searchParams;
    this.callConnection = callConnectionId;
    this.startedAtMs = settings.now();
    this.sinks = new SinkFanout(this.emitter, logger);
    this.talkBack = new SessionTalkBack(this, { emitter: this.emitter, logger: this.logger, scheduler: settings.scheduler, liveLeadMs: settings.talkBackLiveLeadMs, now: settings.now });
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
    let silence: Int16Array | undefined;
    if (packet.kind === 'AudioMetadata') {
      this.kind = 'audio';
      this.rate = packet.sampleRate;
      silence = new Int16Array(frameSamples(packet.sampleRate));
      this.timeline = new Timeline({ ...this.settings, logger: this.logger }, { counts: this.counts, events: this, frames: this.sinks, sampleRate: packet.sampleRate, silence });
      this.talkBack.attach(this.timeline);
      connection.parseOptions.expectedFrameBytes = frameBytesFor(packet.sampleRate);
    } else {
      this.kind = 'transcription';
      this.callConnection ??= packet.callConnectionId;
    }
    this.recording = SessionRecording.forSession(this.settings, { id: this.id, startedAtMs: this.startedAtMs, sampleRate: this.rate, silence, logger: this.logger });
    if (this.recording !== undefined) this.sinks.add(this.recording.recorder);
    this.setState('streaming');
  }

  /** True when `packet` may continue this session on a new socket (same subscription, same format). */
  canContinue(packet: AudioMetadataPacket | TranscriptionMetadataPacket): boolean {
    if (!this.live || this.metadata === undefined || this.metadata.kind !== packet.kind) return false;
    return packet.kind !== 'AudioMetadata' || packet.sampleRate === this.rate;
  }

  /** A reconnect: continue on `connection`; the timeline fills the outage with silence by timestamps (up to maxGapFillMs). */
  continueOn(connection: Connection, absorbed: Session): void {
    if (this.graceTimer !== undefined) clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    const previous = this.connection;
    if (previous !== undefined && previous !== connection) previous.supersede();
    this.connection = connection;
    connection.session = this;
    connection.parseOptions.expectedFrameBytes = this.rate === undefined ? undefined : frameBytesFor(this.rate);
    this.counts.connections++;
    this.counts.rejected += absorbed.counts.rejected;
    this.logger.info({ connections: this.counts.connections }, 'media: stream reconnected; session continues');
    this.setState('streaming');
  }

  /** A transcription socket of this call: its TranscriptionData lands here (transcript.jsonl, 'transcript'). */
  adoptTranscription(connection: Connection, packet: TranscriptionMetadataPacket): void {
    connection.session = this;
    this.recording?.recordTranscriptionMetadata(packet, this.settings.now());
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

  /** An AudioData packet: onto the timeline (which counts duplicates and frames too late), or refused. */
  private placeAudio(packet: AudioDataPacket): void {
    this.counts.framesReceived++;
    const refused = (this.timeline as Timeline).place(packet);
    if (refused === undefined) return this.settings.counters.accepted();
    this.reject(refused.reason, refused.detail);
    if (refused.reason === 'frame_rate_limit') {
      this.closeForLimit('frame_rate', SessionLimitCloseCode.FrameRate, `frame rate limit: ${refused.detail} (maxFrameRate / --max-frame-rate)`);
    }
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

  /** TimelineEvents: an unmixed session's first frame adds mixdown.wav (it trails the tracks by the late window). */
  started(channel: 'mixed' | 'unmixed', windowSlots: number): void {
    if (channel === 'unmixed' && this.recording !== undefined && this.settings.recordMix) this.sinks.add(this.recording.enableMix(windowSlots + 1));
  }

  /** TimelineEvents */
  participant(event: ParticipantEvent): void {
    this.emitter.emit('participant', event);
  }

  private acceptDtmf(packet: DtmfDataPacket): void {
    this.counts.dtmf++;
    this.settings.counters.accepted();
    this.recording?.recordDtmf(packet, this.settings.now());
    this.emitter.emit('dtmf', packet);
  }

  private acceptTranscript(packet: TranscriptionDataPacket): void {
    this.counts.transcripts++;
    this.settings.counters.accepted();
    this.recording?.recordTranscript(packet, this.settings.now());
    this.emitter.emit('transcript', packet);
  }

  /** A callback event for this call (hub.recordCallEvent): appended to events.jsonl. */
  recordCallEvent(event: SessionCallEvent): void {
    if (event.callConnectionId !== undefined) this.linkCall(event.callConnectionId);
    this.recording?.recordCallEvent(event, this.settings.now(), !this.live);
    this.emitter.emit('callEvent', event);
  }

  play(source: PlaySource): PlayHandle {
    return this.talkBack.play(source);
  }

  playStream(options: { sampleRate: number; maxQueuedMs?: number }): PlayStream {
    return this.talkBack.playStream(options);
  }

  stopAudio(): void {
    this.talkBack.stop();
  }

  addTranscript(entry: { speaker: string; text: string; timelineMs?: number }): void {
    const utterance = toUtterance(entry, this.timeline?.timelineMsAt(this.settings.now()));
    this.recording?.recordUtterance(utterance, this.settings.now());
    this.emitter.emit('utterance', utterance);
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
    this.timeline?.finish();
    await this.recording?.ready.catch(() => undefined);
    await this.sinks.closeAll();
    if (this.recording !== undefined && this.settings.recordMix && this.talkBack.track !== undefined) {
      this.talkBackMixed = await this.recording.mixTalkBack(this.settings.openRecordingFile);
    }
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

  /** Flush queued recording data (hub timer); resolves with the write latency in ms, or undefined. On a summary tick,
   *  session.json when what it shows beyond the counts moved (SessionRecording.summaryTick). */
  async flushRecording(summaryTick: boolean): Promise<number | undefined> {
    if (this.recording === undefined || !this.live) return undefined;
    const latency = await this.recording.flush();
    if (summaryTick && this.live) {
      const shape = `${this.stateValue} ${this.timeline?.tracks.length ?? 0} ${this.timeline?.discontinuities.length ?? 0} ${this.recording.health.failed}`;
      await this.recording.summaryTick(shape, () => this.fileSummary());
    }
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
    // Frames the disk lost (failed writes) count with those the queue bound dropped: both are missing from the WAVs.
    if (this.recording !== undefined) this.counts.recordingDropped = this.recording.budget.dropped + this.recording.lostFrames;
    this.counts.framesWritten = this.recording?.recorder.framesWritten ?? 0;
    return {
      id: this.id,
      subscriptionId: this.subscription,
      callConnectionId: this.callConnection,
      state: this.stateValue,
      url: this.url,
      sampleRate: this.rate,
      channel: this.timeline?.channel,
      startedAt: new Date(this.startedAtMs).toISOString(),
      endedAt: this.endedAtMs === undefined ? undefined : new Date(this.endedAtMs).toISOString(),
      recordingDir: this.recording?.dir,
      participants: (this.timeline?.tracks ?? []).map((t) => ({
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
      mixFile: this.recording?.mix === undefined && !this.talkBackMixed ? undefined : 'mixdown.wav',
      endReason: this.endReason,
      discontinuities: this.timeline?.discontinuities ?? [],
      recordingIncomplete: this.counts.recordingDropped > 0 || this.sinks.errors.length > 0 || this.recording?.health.failed === true,
      recordingFailures: this.recording?.health.failures,
      sinkErrors: this.sinks.errors,
      listenerErrors: this.emitter.listenerErrors,
    };
  }
}
