// Talk-back for one session: playbacks queue in order and are sent as outbound AudioData, one 20 ms frame per due
// time (due = start + n × 20 ms, so pacing never drifts). StopAudio cancels everything (docs/protocol.md §2: ACS flushes its
// queue on StopAudio and sends no acknowledgement, so `done` means "all frames sent").
// `dueMs` doubles as a model of ACS's playout: ACS plays what it is sent in real time, so dueMs − now is the audio it
// still holds. A live playback (PlaySource `live`) is never held back: each frame goes out at once while ACS holds at
// most `liveLeadMs`, and is skipped past that. Pacing a live source instead would turn every burst or stall of its
// sender into delay that never drains, since frames arrive at the same 20 ms rate they leave.
import type { Logger } from 'pino';
import type { PlayHandle } from './contract.js';
import type { FrameSource } from './play-source.js';
import { FRAME_MS } from './track.js';
import { serializeOutbound } from '../protocol/index.js';

/** Outbound bytes queued on the socket above which sending waits (the peer is not reading). */
const MAX_BUFFERED_BYTES = 512 * 1024;

/** Where talk-back frames go: the session's current socket (it changes on reconnect). */
export interface TalkBackPort {
  /** Send text; false when there is no open socket. */
  send(text: string): boolean;
  bufferedAmount(): number;
  /** Counts a sent frame (session and hub counters). */
  countFrame(): void;
  /** Counts a live frame skipped to keep the delay bounded. */
  countSkipped(): void;
}

type PlayResult = { status: 'completed' | 'cancelled'; framesSent: number; framesSkipped: number; error?: Error };

/** One queued playback. */
class Playback implements PlayHandle {
  readonly done: Promise<PlayResult>;
  framesSent = 0;
  framesSkipped = 0;
  settled = false;
  private resolve!: (result: PlayResult) => void;

  constructor(
    readonly id: string,
    readonly source: FrameSource,
    private readonly owner: TalkBack,
    readonly live: boolean,
  ) {
    this.done = new Promise((resolve) => {
      this.resolve = resolve;
    });
  }

  cancel(): void {
    this.owner.cancel(this);
  }

  settle(status: 'completed' | 'cancelled'): void {
    if (this.settled) return;
    this.settled = true;
    this.source.stop();
    const error = this.source.error;
    const { framesSent, framesSkipped } = this;
    this.resolve(error === undefined ? { status, framesSent, framesSkipped } : { status: 'cancelled', framesSent, framesSkipped, error });
  }
}

/** A session's playback queue and pacer state; driven by the hub's PlayScheduler through `pump`. */
export class TalkBack {
  private readonly queue: Playback[] = [];
  private current: Playback | undefined;
  /** Due time (epoch ms) of the next frame of the current playback. */
  private dueMs = 0;
  private nextId = 1;

  constructor(
    private readonly port: TalkBackPort,
    private readonly logger: Logger,
    private readonly context: Record<string, unknown>,
    /** The most audio (ms) ACS may hold before live frames are skipped. */
    private readonly liveLeadMs = 100,
  ) {}

  /** Queue a playback of `source`; it starts when those before it are done. `live`: see the file comment. */
  enqueue(source: FrameSource, idPrefix: string, live = false): PlayHandle {
    const playback = new Playback(`${idPrefix}-play-${this.nextId++}`, source, this, live);
    this.queue.push(playback);
    return playback;
  }

  /** True while something is playing or queued. */
  get busy(): boolean {
    return this.current !== undefined || this.queue.length > 0;
  }

  /**
   * Send every frame due up to `horizonMs`. Returns the next due time, or Infinity when there is nothing to do until
   * woken (queue empty, or waiting for a source to load).
   */
  pump(nowMs: number, horizonMs: number): number {
    for (;;) {
      if (this.current === undefined) {
        const next = this.queue.shift();
        if (next === undefined) return Infinity;
        this.current = next;
        // Back to back with the previous playback when it just ended; otherwise start now.
        if (this.dueMs < nowMs) this.dueMs = nowMs;
      }
      const playback = this.current;
      if (playback.settled) {
        this.current = undefined;
        continue;
      }
      if (!playback.live && this.dueMs > horizonMs) return this.dueMs;
      if (this.port.bufferedAmount() > MAX_BUFFERED_BYTES) return nowMs + FRAME_MS;
      const frame = playback.source.next();
      if (frame === undefined) {
        if (playback.source.exhausted) {
          this.finishCurrent(playback.framesSent > 0 || playback.source.error === undefined ? 'completed' : 'cancelled');
          continue;
        }
        // Still loading or the stream is behind: go on when it catches up, after what ACS still holds.
        if (this.dueMs < nowMs) this.dueMs = nowMs;
        return Infinity;
      }
      if (playback.live) {
        // ACS ran dry (nothing it holds) and starts this frame now; or it holds too much and this frame is skipped.
        if (this.dueMs < nowMs) this.dueMs = nowMs;
        else if (this.dueMs > nowMs + this.liveLeadMs) {
          playback.framesSkipped++;
          this.port.countSkipped();
          if (playback.source.exhausted) this.finishCurrent('completed');
          continue;
        }
      }
      if (!this.port.send(serializeOutbound({ kind: 'AudioData', samples: frame }))) {
        this.logger.warn({ ...this.context, playback: playback.id }, 'media: talk-back socket is gone; playback cancelled');
        this.cancelAll();
        return Infinity;
      }
      playback.framesSent++;
      this.port.countFrame();
      this.dueMs += FRAME_MS;
      if (playback.source.exhausted) this.finishCurrent('completed');
    }
  }

  /** Cancel one playback (queued or playing). */
  cancel(playback: Playback): void {
    const i = this.queue.indexOf(playback);
    if (i >= 0) this.queue.splice(i, 1);
    if (this.current === playback) this.current = undefined;
    playback.settle('cancelled');
  }

  /** Cancel the current and every queued playback. */
  cancelAll(): void {
    const all = this.current === undefined ? this.queue.splice(0) : [this.current, ...this.queue.splice(0)];
    this.current = undefined;
    for (const p of all) p.settle('cancelled');
  }

  /** Barge-in: cancel everything and tell ACS to drop what it has queued. */
  stop(): void {
    this.cancelAll();
    this.port.send(serializeOutbound({ kind: 'StopAudio' }));
  }

  private finishCurrent(status: 'completed' | 'cancelled'): void {
    const playback = this.current;
    this.current = undefined;
    playback?.settle(status);
  }
}
