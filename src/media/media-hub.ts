// The media hub: a session for every socket, continued across ACS reconnects by subscriptionId; one flush timer
// and one talk-back pacer for all sessions; counters for /metrics; call events linked to sessions.
import pino from 'pino';
import type { AudioMetadataPacket, InboundPacket, TranscriptionMetadataPacket } from '../protocol/index.js';
import type { ConnectionInfo, MediaConnection, MediaHub, MediaHubEvents, MediaHubOptions, MediaHubStats, MediaSession, SessionSummary } from './contract.js';
import { SessionLimitCloseCode } from './contract.js';
import { MediaCounters } from './counters.js';
import { RecordingFileSlots } from './recording-budget.js';
import { Connection as ConnectionOf, type ConnectionTarget } from './connection.js';
import { checkHubOptions, defaultSessionId, MEDIA_HUB_DEFAULTS } from './media-hub-options.js';
import { withDefaults } from '../errors/index.js';
import { PlayScheduler } from './play-scheduler.js';
import { EmitterDoor, SafeEmitter } from './safe-emitter.js';
import { Session, type SessionHost, type SessionSettings } from './session.js';

/** Write latencies kept between two scrapes. */
const MAX_LATENCIES = 4096;
/** Call links and early events remembered for calls whose socket has not connected yet. */
const MAX_PENDING_CALLS = 256;
const MAX_PENDING_EVENTS_PER_CALL = 32;
/** session.json is rewritten every this many flush ticks while a session runs. */
const SUMMARY_EVERY_TICKS = 5;

type CallEvent = Parameters<MediaHub['recordCallEvent']>[0];
/** Session counters the hub sums over live and ended sessions for stats(). */
const SUMMED_COUNTERS = ['gapsFilled', 'duplicates', 'late', 'recordingDropped', 'talkBackFrames', 'talkBackSkipped', 'talkBackPlayed', 'talkBackCut'] as const;
type SummedCounter = (typeof SUMMED_COUNTERS)[number];
type SummedCounts = Record<SummedCounter, number>;

function addCounts(into: SummedCounts, counts: SessionSummary['counts']): void {
  for (const counter of SUMMED_COUNTERS) into[counter] += counts[counter];
}

function headerValue(headers: ConnectionInfo['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

type Connection = ConnectionOf<Session>;

class Hub extends EmitterDoor<MediaHubEvents> implements MediaHub, ConnectionTarget<Session>, SessionHost {
  private readonly settings: SessionSettings;
  private readonly createId: () => string;
  private readonly keepRecent: number;
  private readonly live = new Map<string, Session>();
  private readonly recent: Session[] = [];
  private readonly bySubscription = new Map<string, Session>();
  /** subscriptionId → callConnectionId, learned from call events (the server knows both when it answers). */
  private readonly callOfSubscription = new Map<string, string>();
  private readonly pendingEvents = new Map<string, CallEvent[]>();
  private readonly scheduler: PlayScheduler;
  private readonly flushTimer: NodeJS.Timeout;
  private flushTicks = 0;
  private closing: Promise<void> | undefined;
  private sessionsTotal = 0;
  /** Started sessions not ended yet (live or waiting for a reconnect), against maxSessions. */
  private sessionsHeld = 0;
  private readonly maxSessions: number;
  /** The ledger: every message received is accepted or rejected (by reason) exactly once. */
  private readonly counters = new MediaCounters();
  private readonly endedTotals = Object.fromEntries(SUMMED_COUNTERS.map((counter) => [counter, 0])) as SummedCounts;
  private latencies: number[] = [];

  constructor(options: MediaHubOptions) {
    checkHubOptions(options);
    const logger = options.logger ?? pino({ level: 'silent' });
    super(new SafeEmitter<MediaHubEvents>(logger, { component: 'media-hub' }));
    const o = withDefaults(MEDIA_HUB_DEFAULTS, options);
    const now = options.now ?? Date.now;
    this.scheduler = new PlayScheduler(now, o.talkBackLeadMs);
    this.settings = {
      ...o,
      now,
      logger,
      scheduler: this.scheduler,
      openRecordingFile: options.openRecordingFile,
      counters: this.counters,
      recordingFiles: new RecordingFileSlots(o.maxRecordingFiles),
    };
    this.maxSessions = o.maxSessions;
    this.createId = options.createId ?? (() => defaultSessionId(now()));
    this.keepRecent = o.keepRecentSessions;
    this.flushTimer = setInterval(this.flushAll, o.flushIntervalMs);
    this.flushTimer.unref();
  }

  connect(info: ConnectionInfo): MediaConnection {
    const session = this.newSession(info);
    const connection = new ConnectionOf<Session>(info, this, session);
    session.connection = connection;
    if (this.closing !== undefined) info.close(1001, 'media hub is closing');
    return connection;
  }

  private newSession(info: ConnectionInfo): Session {
    const session = new Session(this.unusedId(), info.url, this.settings, this, headerValue(info.headers, 'x-ms-call-connection-id'));
    this.live.set(session.id, session);
    return session;
  }

  /** An ID no session the hub knows has (its recording folder is the ID): a taken one gets `-2`, `-3`, … */
  private unusedId(): string {
    const base = this.createId();
    let id = base;
    for (let n = 2; this.get(id) !== undefined; n++) id = `${base}-${n}`;
    return id;
  }

  // ConnectionTarget: the frame path. `accept` is the only per-frame call; it allocates nothing.
  countMessage(bytes: number): void {
    this.counters.received(bytes);
  }

  accept(connection: Connection, packet: InboundPacket): void {
    this.counters.parsed(packet.kind);
    const session = connection.session;
    if (session.metadata === undefined && (packet.kind === 'AudioMetadata' || packet.kind === 'TranscriptionMetadata')) {
      this.bindMetadata(connection, packet);
    } else if (session.live) {
      session.accept(packet);
    } else {
      this.counters.rejected('session_ended');
    }
  }

  reject(connection: Connection, reason: string, detail: string): void {
    connection.session.reject(reason, detail);
  }

  closed(connection: Connection, code: number, reason: string): void {
    connection.session.connectionClosed(connection, code, reason);
  }

  /** First metadata on a socket: continue a live or interrupted session of the same subscription, or start one. */
  private bindMetadata(connection: Connection, packet: AudioMetadataPacket | TranscriptionMetadataPacket): void {
    const provisional = connection.session;
    const existing = this.bySubscription.get(packet.subscriptionId);
    if (existing !== undefined && existing !== provisional && existing.canContinue(packet)) {
      this.counters.accepted();
      this.live.delete(provisional.id);
      existing.continueOn(connection, provisional);
      return;
    }
    const full = this.sessionsHeld >= this.maxSessions ? `${this.maxSessions} sessions (live or waiting for a reconnect; maxSessions / --max-sessions)`
      : this.settings.recordingsDir !== null && this.settings.recordingFiles.full ? `${this.settings.recordingFiles.max} open recording files (maxRecordingFiles / --max-recording-files)`
      : undefined;
    if (full !== undefined) return this.refuseSession(connection, full);
    this.counters.accepted();
    if (packet.kind === 'TranscriptionMetadata') {
      // A transcription socket of a call whose audio session is live: its transcripts join that session's files.
      const call = packet.callConnectionId ?? provisional.callConnectionId;
      const audio = call === undefined ? undefined : this.findSession(call, undefined);
      if (audio !== undefined && audio.kind === 'audio' && audio.live) {
        this.live.delete(provisional.id);
        audio.adoptTranscription(connection, packet);
        return;
      }
    }
    provisional.start(packet, connection);
    this.sessionsTotal++;
    this.sessionsHeld++;
    this.bySubscription.set(packet.subscriptionId, provisional);
    const call = provisional.callConnectionId ?? this.callOfSubscription.get(packet.subscriptionId);
    if (call !== undefined) provisional.linkCall(call);
    this.emitter.emit('session', provisional);
    this.deliverPending(provisional);
  }

  /** A new session past a cap: its socket is closed with 4005 (the peer retries later, or another node takes it). */
  private refuseSession(connection: Connection, what: string): void {
    this.counters.rejected('session_limit');
    this.live.delete(connection.session.id);
    if (this.counters.limitClosures.sessions === undefined) {
      this.settings.logger.warn({ limit: what }, 'media: refusing new sessions: the server holds its limit (further refusals are only counted)');
    }
    this.counters.limitClosed('sessions');
    connection.info.close(SessionLimitCloseCode.TooManySessions, `this server holds ${what}; try again later`);
  }

  sessionEnded(session: Session): void {
    if (this.live.has(session.id) && session.metadata !== undefined) this.sessionsHeld--;
    this.live.delete(session.id);
    if (session.subscriptionId !== undefined && this.bySubscription.get(session.subscriptionId) === session) {
      this.bySubscription.delete(session.subscriptionId);
    }
    addCounts(this.endedTotals, session.summary().counts);
    if (session.metadata === undefined) return;
    this.recent.push(session);
    if (this.recent.length > this.keepRecent) this.recent.splice(0, this.recent.length - this.keepRecent);
  }

  sessions(): MediaSession[] {
    return [...this.live.values(), ...this.recent];
  }

  get(id: string): MediaSession | undefined {
    return this.live.get(id) ?? this.recent.find((s) => s.id === id);
  }

  recordCallEvent(event: CallEvent): void {
    const { callConnectionId, subscriptionId } = event;
    if (callConnectionId !== undefined && subscriptionId !== undefined) {
      this.callOfSubscription.set(subscriptionId, callConnectionId);
      this.trim(this.callOfSubscription);
    }
    const session = this.findSession(callConnectionId, subscriptionId);
    if (session !== undefined) {
      session.recordCallEvent(event);
      return;
    }
    // No live session: the call's last ended session still records it (CallDisconnected usually comes after the
    // stream closed); and in case the socket is not there yet (callbacks and sockets race), keep it for when it links.
    const previous = this.recentSessionOf(callConnectionId, subscriptionId);
    if (previous !== undefined) previous.recordCallEvent(event);
    const key = callConnectionId ?? subscriptionId;
    if (key === undefined) return;
    const list = this.pendingEvents.get(key) ?? [];
    if (list.length < MAX_PENDING_EVENTS_PER_CALL) list.push(event);
    this.pendingEvents.set(key, list);
    this.trim(this.pendingEvents);
  }

  private findSession(callConnectionId: string | undefined, subscriptionId: string | undefined): Session | undefined {
    if (subscriptionId !== undefined) {
      const bySub = this.bySubscription.get(subscriptionId);
      if (bySub !== undefined) return bySub;
    }
    if (callConnectionId === undefined) return undefined;
    const linkedSub = [...this.callOfSubscription].find(([, call]) => call === callConnectionId)?.[0];
    if (linkedSub !== undefined && this.bySubscription.has(linkedSub)) return this.bySubscription.get(linkedSub);
    for (const s of this.live.values()) if (s.metadata !== undefined && s.callConnectionId === callConnectionId) return s;
    return undefined;
  }

  private recentSessionOf(callConnectionId: string | undefined, subscriptionId: string | undefined): Session | undefined {
    for (let i = this.recent.length - 1; i >= 0; i--) {
      const s = this.recent[i];
      if ((callConnectionId !== undefined && s.callConnectionId === callConnectionId) || (subscriptionId !== undefined && s.subscriptionId === subscriptionId)) return s;
    }
    return undefined;
  }

  private deliverPending(session: Session): void {
    for (const key of [session.callConnectionId, session.subscriptionId]) {
      if (key === undefined) continue;
      const list = this.pendingEvents.get(key);
      if (list === undefined) continue;
      this.pendingEvents.delete(key);
      for (const event of list) session.recordCallEvent(event);
    }
  }

  private trim(map: Map<string, unknown>): void {
    while (map.size > MAX_PENDING_CALLS) map.delete(map.keys().next().value as string);
  }

  stats(): MediaHubStats {
    const sums = { ...this.endedTotals };
    let active = 0;
    let queueBytes = 0;
    for (const s of this.live.values()) {
      if (s.metadata === undefined) continue;
      active++;
      queueBytes += s.recordingQueueBytes;
      addCounts(sums, s.summary().counts);
    }
    return {
      sessionsActive: active,
      sessionsTotal: this.sessionsTotal,
      framesByKind: { ...this.counters.framesByKind },
      bytesReceived: this.counters.bytesReceived,
      messages: { received: this.counters.messagesReceived, accepted: this.counters.messagesAccepted, rejected: this.counters.messagesRejected },
      rejectsByReason: { ...this.counters.rejectsByReason },
      limitClosures: { ...this.counters.limitClosures },
      timelineDiscontinuities: { ...this.counters.discontinuities },
      gapsFilled: sums.gapsFilled,
      duplicates: sums.duplicates,
      lateFrames: sums.late,
      recordingDroppedFrames: sums.recordingDropped,
      recordingQueueBytes: queueBytes,
      recordingFailures: { ...this.counters.recordingFailures },
      recordingFilesOpen: this.settings.recordingFiles.open,
      drainWriteLatenciesMs: () => {
        const drained = this.latencies;
        this.latencies = [];
        return drained;
      },
      talkBackFrames: sums.talkBackFrames,
      talkBackSkipped: sums.talkBackSkipped,
      talkBackPlayed: sums.talkBackPlayed,
      talkBackCut: sums.talkBackCut,
    };
  }

  /** The hub timer: flush every session's recording (a slow one skips ticks, never blocks the others). */
  private readonly flushAll = (): void => {
    this.flushTicks++;
    const summary = this.flushTicks % SUMMARY_EVERY_TICKS === 0;
    for (const session of this.live.values()) {
      session.flushRecording(summary).then(this.noteLatency, this.noteFlushError);
    }
  };

  private readonly noteLatency = (ms: number | undefined): void => {
    if (ms !== undefined && this.latencies.length < MAX_LATENCIES) this.latencies.push(ms);
  };

  private readonly noteFlushError = (err: unknown): void => {
    this.settings.logger.error({ err }, 'media: flushing a recording failed');
  };

  close(): Promise<void> {
    this.closing ??= this.closeAll();
    return this.closing;
  }

  private async closeAll(): Promise<void> {
    clearInterval(this.flushTimer);
    const sessions = [...this.live.values()];
    for (const s of sessions) {
      const connection = s.connection;
      if (connection?.open) {
        try {
          connection.info.close(1001, 'media hub is closing');
        } catch {
          // The socket may already be gone; the session ends regardless.
        }
      }
    }
    await Promise.all(sessions.map((s) => s.end('media hub closed')));
    this.scheduler.close();
  }
}

/** Create the media layer: sessions for every connection the server hands over. */
export function createMediaHub(options: MediaHubOptions = {}): MediaHub {
  return new Hub(options);
}
