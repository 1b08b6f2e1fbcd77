// A session's talk-back: play / playStream / stopAudio queue on the session's TalkBack, paced by the hub's
// PlayScheduler and sent on whatever socket the session has now (it changes on reconnect); what the caller heard goes
// on the talk-back track of the session's timeline (talk-back.ts, talk-back-track.ts, docs/media.md §Talk-back).
import type { Logger } from 'pino';
import type { SampleRate } from '../protocol/index.js';
import type { MediaSessionEvents, PlayHandle, PlayoutEvent, PlaySource, PlayStream, SessionState, SessionSummary } from './contract.js';
import { MediaError, MediaErrorCode } from './media-error.js';
import type { PlayScheduler } from './play-scheduler.js';
import { checkRate, createFrameSource } from './play-source.js';
import { checkMaxQueuedMs, DEFAULT_STREAM_QUEUE_MS, PlayStreamHandle, PushFrames } from './play-stream.js';
import type { SafeEmitter } from './safe-emitter.js';
import { TalkBack, type TalkBackPort } from './talk-back.js';
import { TalkBackTrack } from './talk-back-track.js';
import type { Timeline } from './timeline.js';
import type { Track } from './track.js';
import { FRAME_MS } from '../audio/index.js';

/** What talk-back reads of its session. */
export interface TalkBackSession {
  readonly id: string;
  readonly live: boolean;
  readonly sampleRate: SampleRate | undefined;
  readonly state: SessionState;
  /** The session's current socket; undefined while it is interrupted. */
  readonly connection: { readonly open: boolean; send(text: string): boolean; readonly info: { bufferedAmount(): number } } | undefined;
  readonly counts: Pick<SessionSummary['counts'], 'talkBackFrames' | 'talkBackSkipped' | 'talkBackPlayed' | 'talkBackCut'>;
}

/** Everything else talk-back needs: the session's emitter and logger, and the hub's pacer and clock. */
export interface SessionTalkBackOptions {
  emitter: SafeEmitter<MediaSessionEvents>;
  logger: Logger;
  scheduler: PlayScheduler;
  /** The most audio (ms) ACS may hold before live frames are skipped. */
  liveLeadMs: number;
  now: () => number;
}

/** Talk-back of one session; the TalkBackPort its TalkBack sends through. */
export class SessionTalkBack implements TalkBackPort {
  private readonly talkBack: TalkBack;
  private readonly emitter: SafeEmitter<MediaSessionEvents>;
  private readonly logger: Logger;
  private readonly scheduler: PlayScheduler;
  private timeline: Timeline | undefined;
  private heardTrack: TalkBackTrack | undefined;

  constructor(
    private readonly session: TalkBackSession,
    options: SessionTalkBackOptions,
  ) {
    this.emitter = options.emitter;
    this.logger = options.logger;
    this.scheduler = options.scheduler;
    this.talkBack = new TalkBack(this, options.logger, {}, options.liveLeadMs, options.now);
  }

  /** The session's audio timeline, once its AudioMetadata is known: heard frames go on a track of it. */
  attach(timeline: Timeline): void {
    this.timeline = timeline;
    this.heardTrack = new TalkBackTrack(timeline, this.logger);
  }

  /** The talk-back track, once something was heard. */
  get track(): Track | undefined {
    return this.heardTrack?.track;
  }

  play(source: PlaySource): PlayHandle {
    const rate = this.checkCanPlay('play');
    const live = 'live' in source && source.live === true;
    const handle = this.talkBack.enqueue(createFrameSource(source, rate, this.wake), this.session.id, live);
    this.scheduler.wake(this.talkBack, live);
    return handle;
  }

  playStream(options: { sampleRate: number; maxQueuedMs?: number }): PlayStream {
    const rate = this.checkCanPlay('playStream');
    checkRate(options.sampleRate);
    const maxQueuedMs = options.maxQueuedMs ?? DEFAULT_STREAM_QUEUE_MS;
    checkMaxQueuedMs(maxQueuedMs);
    const source = new PushFrames(options.sampleRate, rate, Math.ceil(maxQueuedMs / FRAME_MS), this.wake);
    const playback = this.talkBack.enqueue(source, this.session.id);
    this.scheduler.wake(this.talkBack);
    return new PlayStreamHandle(playback, source, this.countSkippedFrame);
  }

  /** Barge-in: StopAudio, then cancel everything queued. */
  stop(): void {
    this.talkBack.stop();
  }

  /** The socket went away or the session ends: cancel every playback (no StopAudio: nobody to send it to). */
  cancelAll(): void {
    this.talkBack.cancelAll();
  }

  /** The session's rate, or why it cannot play now. */
  private checkCanPlay(what: string): SampleRate {
    const s = this.session;
    if (!s.live) throw new MediaError(MediaErrorCode.ConnectionClosed, `${what}: session ${s.id} has ended`);
    if (s.sampleRate === undefined) {
      throw new MediaError(MediaErrorCode.NotReady, `${what}: session ${s.id} has no audio format yet; wait for the 'session' event (AudioMetadata)`);
    }
    if (s.connection === undefined || !s.connection.open) {
      throw new MediaError(MediaErrorCode.ConnectionClosed, `${what}: session ${s.id} has no open socket (state ${s.state})`);
    }
    return s.sampleRate;
  }

  private readonly wake = (): void => {
    this.scheduler.wake(this.talkBack);
  };

  private readonly countSkippedFrame = (): void => this.countSkipped();

  /** TalkBackPort: send on the current socket. */
  send(text: string): boolean {
    return this.session.connection?.send(text) ?? false;
  }
  /** TalkBackPort */
  bufferedAmount(): number {
    return this.session.connection?.info.bufferedAmount() ?? 0;
  }
  /** TalkBackPort */
  countFrame(): void {
    this.session.counts.talkBackFrames++;
  }
  /** TalkBackPort */
  countSkipped(): void {
    this.session.counts.talkBackSkipped++;
  }
  /** TalkBackPort: a heard frame goes on the talk-back track. */
  heard(samples: Int16Array, startMs: number): void {
    this.heardTrack?.place(samples, startMs);
  }
  /** TalkBackPort */
  playout(kind: 'played' | 'cut', event: PlayoutEvent): void {
    if (kind === 'played') this.session.counts.talkBackPlayed++;
    else this.session.counts.talkBackCut++;
    this.emitter.emit(kind, event);
  }
  /** TalkBackPort */
  timelineMsAt(ms: number): number | undefined {
    return this.timeline?.timelineMsAt(ms);
  }
}
