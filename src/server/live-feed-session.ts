// What the live feed keeps per media session: level meters per track (measured while a dashboard is connected; O(1)
// per frame, no allocation), the transcript, DTMF digits and participants, so that a dashboard that connects late (or
// was skipped) gets the present in one snapshot.

import type { AudioFrame, MediaSession, UtteranceEvent } from '../media/index.js';
import type { DtmfDataPacket, TranscriptionDataPacket } from '../protocol/index.js';
import { LEVEL_FLOOR_DBFS } from './live-feed-messages.js';
import type { LiveEvent, LiveSessionLevels, LiveTrackLevel, LiveTranscriptLine } from './live-feed-messages.js';

/** Frames kept for the waveform between two ticks; more than this (a burst) keeps the newest. Power of two. */
const ENVELOPE_RING = 64;

/** Someone listening to a track live: gets each frame's PCM. */
export interface TrackListener {
  /** Send one frame of PCM; the listener copies what it keeps. */
  pcm(samples: Int16Array): void;
}

/** One track's level meter: plain numbers, reset each tick. */
export class TrackMeter {
  readonly trackId: string;
  readonly participantRawId: string | undefined;
  frames = 0;
  private sumPower = 0;
  private count = 0;
  private peakDbfs = -Infinity;
  private voiced = 0;
  private readonly envelope = new Float32Array(ENVELOPE_RING);
  private envelopeWrite = 0;
  listeners: TrackListener[] = [];

  constructor(trackId: string, participantRawId: string | undefined) {
    this.trackId = trackId;
    this.participantRawId = participantRawId;
  }

  /** Adds one frame's level: a few additions and one power, no allocation. */
  add(levelDbfs: number, silent: boolean, speakingDbfs: number): void {
    const power = levelDbfs > LEVEL_FLOOR_DBFS ? 10 ** (levelDbfs / 10) : 0;
    this.sumPower += power;
    this.count++;
    this.frames++;
    if (levelDbfs > this.peakDbfs) this.peakDbfs = levelDbfs;
    if (!silent && levelDbfs > speakingDbfs) this.voiced++;
    this.envelope[this.envelopeWrite & (ENVELOPE_RING - 1)] = Math.sqrt(power);
    this.envelopeWrite++;
  }

  /** This tick's levels (null when no frame came), then starts the next tick. */
  take(): LiveTrackLevel | null {
    if (this.count === 0) return null;
    const n = Math.min(this.count, ENVELOPE_RING);
    const envelope = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      envelope[i] = Math.round(this.envelope[(this.envelopeWrite - n + i) & (ENVELOPE_RING - 1)] * 1000) / 1000;
    }
    const rms = this.sumPower > 0 ? 10 * Math.log10(this.sumPower / this.count) : LEVEL_FLOOR_DBFS;
    const level: LiveTrackLevel = {
      trackId: this.trackId,
      rmsDbfs: Math.max(LEVEL_FLOOR_DBFS, Math.round(rms * 10) / 10),
      peakDbfs: Math.max(LEVEL_FLOOR_DBFS, Math.round(this.peakDbfs * 10) / 10),
      speaking: this.voiced > 0,
      envelope,
      frames: this.frames,
    };
    this.reset();
    return level;
  }

  /** Forgets this tick's levels (frames stays: it counts every frame). */
  reset(): void {
    this.sumPower = 0;
    this.count = 0;
    this.peakDbfs = -Infinity;
    this.voiced = 0;
  }
}

/** Where a watched session reports its discrete events (the feed queues them for the next tick). */
export interface SessionWatchSink {
  event(event: LiveEvent): void;
  /** True while a dashboard is connected: only then are levels measured (nobody would see them otherwise). */
  readonly metering: boolean;
  /** The session ended: the feed may release it now, whether or not a dashboard ever sampled it. */
  ended(): void;
}

/** Follows one media session's events for the live feed. */
export class SessionWatch {
  readonly session: MediaSession;
  readonly meters = new Map<string, TrackMeter>();
  readonly finals: LiveTranscriptLine[] = [];
  readonly intermediates = new Map<string, LiveTranscriptLine>();
  dtmf = '';
  ended = false;
  private readonly sink: SessionWatchSink;
  private readonly speakingDbfs: number;
  private readonly maxTranscriptLines: number;
  private readonly onAudio: (frame: AudioFrame) => void;
  private readonly onTranscript: (packet: TranscriptionDataPacket) => void;
  private readonly onUtterance: (utterance: UtteranceEvent) => void;
  private readonly onDtmf: (packet: DtmfDataPacket) => void;
  private readonly onParticipant: (p: { trackId: string; participantRawId: string | undefined }) => void;
  private readonly onState: () => void;

  constructor(session: MediaSession, sink: SessionWatchSink, limits: { speakingDbfs: number; maxTranscriptLines: number }) {
    this.session = session;
    this.sink = sink;
    this.speakingDbfs = limits.speakingDbfs;
    this.maxTranscriptLines = limits.maxTranscriptLines;
    // One closure per session (not per frame); the audio one does only arithmetic, and only counts unwatched.
    this.onAudio = (frame) => {
      const meter = this.meters.get(frame.trackId) ?? this.addMeter(frame.trackId, frame.participantRawId);
      if (this.sink.metering) meter.add(frame.levelDbfs, frame.silent, this.speakingDbfs);
      else meter.frames++;
      if (meter.listeners.length > 0) for (const listener of meter.listeners) listener.pcm(frame.samples);
    };
    this.onTranscript = (packet) => this.transcript(packet);
    // Lines the app added (a voice agent's transcripts): final, on the transcript pane under their speaker.
    this.onUtterance = (u) => this.addLine({ participantRawId: undefined, speaker: u.speaker, text: u.text, final: true, offsetMs: u.timelineMs }, u.speaker);
    this.onDtmf = (packet) => {
      this.dtmf = (this.dtmf + packet.tone).slice(-64);
      this.sink.event({ type: 'dtmf', sessionId: session.id, tone: packet.tone, participantRawId: packet.participantRawID });
    };
    this.onParticipant = (p) => {
      if (!this.meters.has(p.trackId)) this.addMeter(p.trackId, p.participantRawId);
    };
    this.onState = () => {
      this.sink.event({ type: 'session', session: session.summary() });
      if (this.ended || (session.state !== 'ended' && session.state !== 'failed')) return;
      this.ended = true;
      this.sink.ended();
    };
    session.on('audio', this.onAudio);
    session.on('transcript', this.onTranscript);
    session.on('utterance', this.onUtterance);
    session.on('dtmf', this.onDtmf);
    session.on('participant', this.onParticipant);
    session.on('state', this.onState);
    session.on('end', this.onState);
    if (session.state === 'ended' || session.state === 'failed') this.ended = true;
    for (const p of session.summary().participants) this.addMeter(p.trackId, p.participantRawId);
  }

  /** This tick's levels and counters; null when the session is over and nothing came. */
  levels(): LiveSessionLevels | null {
    const state = this.session.state;
    if (state === 'ended' || state === 'failed') this.ended = true;
    const tracks: LiveTrackLevel[] = [];
    for (const meter of this.meters.values()) {
      const level = meter.take();
      if (level !== null) tracks.push(level);
    }
    if (this.ended && tracks.length === 0) return null;
    return { sessionId: this.session.id, tracks, counts: this.session.summary().counts };
  }

  /** Forgets the levels measured so far (a dashboard connects after none was: its first tick starts clean). */
  resetLevels(): void {
    for (const meter of this.meters.values()) meter.reset();
  }

  /** The transcript as a dashboard shows it now: finals, then the pending intermediate line per speaker. */
  transcriptLines(): LiveTranscriptLine[] {
    return [...this.finals, ...this.intermediates.values()];
  }

  /** Stops following the session. */
  detach(): void {
    const s = this.session;
    s.off('audio', this.onAudio);
    s.off('transcript', this.onTranscript);
    s.off('utterance', this.onUtterance);
    s.off('dtmf', this.onDtmf);
    s.off('participant', this.onParticipant);
    s.off('state', this.onState);
    s.off('end', this.onState);
    for (const meter of this.meters.values()) meter.listeners = [];
  }

  private addMeter(trackId: string, participantRawId: string | undefined): TrackMeter {
    const meter = new TrackMeter(trackId, participantRawId);
    this.meters.set(trackId, meter);
    this.sink.event({ type: 'participant', sessionId: this.session.id, trackId, participantRawId });
    // The channel type is known once the first frame came: refresh the summary with it.
    this.sink.event({ type: 'session', session: this.session.summary() });
    return meter;
  }

  private transcript(packet: TranscriptionDataPacket): void {
    const line: LiveTranscriptLine = {
      participantRawId: packet.participantRawID,
      text: packet.text,
      final: packet.resultStatus.toLowerCase() === 'final',
      // Ticks of 100 ns (docs/protocol.md §1 TranscriptionData); bigint keeps huge offsets from throwing.
      offsetMs: Number(packet.offsetTicks / 10000n),
    };
    this.addLine(line, packet.participantRawID ?? '');
  }

  private addLine(line: LiveTranscriptLine, speaker: string): void {
    if (line.final) {
      this.intermediates.delete(speaker);
      this.finals.push(line);
      if (this.finals.length > this.maxTranscriptLines) this.finals.shift();
    } else {
      this.intermediates.set(speaker, line);
    }
    this.sink.event({ type: 'transcript', sessionId: this.session.id, line });
  }
}
