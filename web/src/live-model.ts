// The dashboard's picture of the present, fed by /api/live messages: sessions, their tracks (levels and a short
// waveform history), transcripts, DTMF and the calls' callback events. Components read it and re-render on change.

import type {
  LiveCallEvent,
  LiveEvent,
  LiveServerMessage,
  LiveSnapshot,
  LiveTick,
  LiveTranscriptLine,
  SessionSummary,
} from './feed-types.js';

/** Frames of waveform history kept per track: 10 s at 50 frames a second. */
export const HISTORY_FRAMES = 500;
/** How long the speaking indicator stays lit after the last voiced tick. */
const SPEAKING_HOLD_MS = 300;
const FLOOR_DBFS = -100;
/** Ended sessions kept on the page. */
const KEEP_ENDED = 20;

/** One participant's track as the dashboard draws it. */
export interface TrackView {
  trackId: string;
  participantRawId: string | undefined;
  rmsDbfs: number;
  peakDbfs: number;
  speakingUntil: number;
  frames: number;
  /** Ring of per-frame amplitudes (0..1); `historyWrite` is the next slot. */
  history: Float32Array;
  historyWrite: number;
}

/** One media session as the dashboard draws it. */
export interface SessionView {
  summary: SessionSummary;
  tracks: Map<string, TrackView>;
  finals: LiveTranscriptLine[];
  intermediates: Map<string, LiveTranscriptLine>;
  dtmf: string;
}

/** The whole picture plus a version number that changes on every update. */
export class LiveModel {
  sessions = new Map<string, SessionView>();
  calls: LiveCallEvent[] = [];
  connected = false;
  version = 0;
  /** Sessions that ended since the last look (the recordings list refreshes on them). */
  endedSignal = 0;
  private readonly listeners = new Set<() => void>();

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setConnected(connected: boolean): void {
    this.connected = connected;
    this.changed();
  }

  apply(message: LiveServerMessage): void {
    if (message.type === 'snapshot') this.applySnapshot(message);
    else if (message.type === 'tick') this.applyTick(message);
    else return;
    this.changed();
  }

  private changed(): void {
    this.version++;
    for (const listener of this.listeners) listener();
  }

  private applySnapshot(message: LiveSnapshot): void {
    const previous = this.sessions;
    this.sessions = new Map();
    for (const s of message.sessions) {
      const view = previous.get(s.session.id) ?? newSession(s.session);
      view.summary = s.session;
      view.finals = s.transcript.filter((l) => l.final);
      view.intermediates = new Map(s.transcript.filter((l) => !l.final).map((l) => [l.participantRawId ?? '', l]));
      view.dtmf = s.dtmf;
      for (const p of s.participants) ensureTrack(view, p.trackId, p.participantRawId);
      this.sessions.set(s.session.id, view);
    }
    this.calls = message.calls.slice();
  }

  private applyTick(message: LiveTick): void {
    for (const event of message.events) this.applyEvent(event);
    for (const levels of message.levels) {
      const view = this.sessions.get(levels.sessionId);
      if (view === undefined) continue;
      view.summary = { ...view.summary, counts: levels.counts };
      const seen = new Set<string>();
      for (const level of levels.tracks) {
        const track = ensureTrack(view, level.trackId, undefined);
        seen.add(level.trackId);
        track.rmsDbfs = level.rmsDbfs;
        track.peakDbfs = level.peakDbfs;
        track.frames = level.frames;
        if (level.speaking) track.speakingUntil = message.t + SPEAKING_HOLD_MS;
        for (const v of level.envelope) push(track, v);
      }
      // A track that sent nothing this tick scrolls on with silence.
      for (const track of view.tracks.values()) {
        if (seen.has(track.trackId)) continue;
        track.rmsDbfs = FLOOR_DBFS;
        track.peakDbfs = FLOOR_DBFS;
        for (let i = 0; i < 5; i++) push(track, 0);
      }
    }
  }

  /** Keeps the last few ended sessions; their recordings stay listed from the server. */
  private forgetOldSessions(): void {
    const ended = [...this.sessions.values()].filter((s) => !isLive(s.summary));
    for (const s of ended.slice(0, Math.max(0, ended.length - KEEP_ENDED))) this.sessions.delete(s.summary.id);
  }

  private applyEvent(event: LiveEvent): void {
    switch (event.type) {
      case 'session': {
        const existing = this.sessions.get(event.session.id);
        if (existing === undefined) this.sessions.set(event.session.id, newSession(event.session));
        else existing.summary = event.session;
        if (!isLive(event.session)) {
          this.endedSignal++;
          this.forgetOldSessions();
        }
        break;
      }
      case 'participant': {
        const view = this.sessions.get(event.sessionId);
        if (view !== undefined) ensureTrack(view, event.trackId, event.participantRawId);
        break;
      }
      case 'transcript': {
        const view = this.sessions.get(event.sessionId);
        if (view === undefined) break;
        const speaker = event.line.participantRawId ?? '';
        if (event.line.final) {
          view.intermediates.delete(speaker);
          view.finals = [...view.finals, event.line].slice(-200);
        } else {
          view.intermediates.set(speaker, event.line);
        }
        break;
      }
      case 'dtmf': {
        const view = this.sessions.get(event.sessionId);
        if (view !== undefined) view.dtmf = (view.dtmf + event.tone).slice(-64);
        break;
      }
      case 'call':
        this.calls = [...this.calls, event.event].slice(-500);
        break;
    }
  }
}

function newSession(summary: SessionSummary): SessionView {
  return { summary, tracks: new Map(), finals: [], intermediates: new Map(), dtmf: '' };
}

function ensureTrack(view: SessionView, trackId: string, participantRawId: string | undefined): TrackView {
  let track = view.tracks.get(trackId);
  if (track === undefined) {
    track = {
      trackId,
      participantRawId,
      rmsDbfs: FLOOR_DBFS,
      peakDbfs: FLOOR_DBFS,
      speakingUntil: 0,
      frames: 0,
      history: new Float32Array(HISTORY_FRAMES),
      historyWrite: 0,
    };
    view.tracks.set(trackId, track);
  } else if (track.participantRawId === undefined && participantRawId !== undefined) {
    track.participantRawId = participantRawId;
  }
  return track;
}

function push(track: TrackView, value: number): void {
  track.history[track.historyWrite % HISTORY_FRAMES] = value;
  track.historyWrite++;
}

/** True when a session is still taking audio. */
export function isLive(summary: SessionSummary): boolean {
  return summary.state !== 'ended' && summary.state !== 'failed';
}
