// Talk-back for one session: playbacks queue in order and are sent as outbound AudioData, one 20 ms frame per due
// time (due = start + n × 20 ms, so pacing never drifts). StopAudio cancels everything (docs/protocol.md §2: ACS flushes its
// queue on StopAudio and sends no acknowledgement).
// The playout model (docs/media.md §Playout): ACS plays what it is sent in real time, one frame after another, and a
// frame that finds its queue empty plays at once; so `playoutEndMs − now` is the audio ACS still holds, a sent frame
// is heard from its modelled start, and StopAudio drops the frames that have not started. Heard frames go to the port
// (the talk-back track); a playback settles when its last frame has played out, or when it is cut. A live
// playback (PlaySource `live`) is never held back: each frame goes out at once while ACS holds at
// most `liveLeadMs`, and is skipped past that. Pacing a live source instead would turn every burst or stall of its
// sender into delay that never drains, since frames arrive at the same 20 ms rate they leave.
import type { Logger } from 'pino';
import type { PlayoutEvent, PlayResult } from './contract.js';
import type { FrameSource } from './play-source.js';
import { Playback, type PlaybackOwner } from './playback.js';
import { FRAME_MS } from '../audio/index.js';
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
  /** Counts a frame not sent: a live frame skipped to keep the delay bounded, or a stream frame over its queue bound. */
  countSkipped(): void;
  /** A sent frame the caller heard from `startMs` (epoch ms, the model). A frame cut partway arrives as a copy whose
   *  unheard tail is zeroed; frames dropped by StopAudio never arrive. */
  heard(samples: Int16Array, startMs: number): void;
  /** A playback played out ('played') or was cut ('cut'). */
  playout(kind: 'played' | 'cut', event: PlayoutEvent): void;
  /** The session timeline position (ms) of epoch `ms`; undefined before the timeline started. */
  timelineMsAt(ms: number): number | undefined;
}

/** A session's playback queue, pacer and playout model; driven by the hub's PlayScheduler through `pump`. */
export class TalkBack implements PlaybackOwner {
  private readonly queue: Playback[] = [];
  private current: Playback | undefined;
  /** Sent in full (or cancelled while sending), still playing out: settled at `endMs`, in order. */
  private readonly draining: Playback[] = [];
  /** Due time (epoch ms) of the next frame of the current playback. */
  private dueMs = 0;
  /** When ACS will have played everything it was sent (the model). */
  private playoutEndMs = 0;
  /** Sent frames not yet started playing (a FIFO with a moving head): samples and modelled start. */
  private heldFrames: Int16Array[] = [];
  private heldStart: number[] = [];
  private heldHead = 0;
  private nextId = 1;

  constructor(
    private readonly port: TalkBackPort,
    private readonly logger: Logger,
    private readonly context: Record<string, unknown>,
    /** The most audio (ms) ACS may hold before live frames are skipped. */
    private readonly liveLeadMs = 100,
    /** The hub clock (epoch ms). */
    readonly now: () => number = Date.now,
  ) {}

  /** Queue a playback of `source`; it starts when those before it are sent. `live`: see the file comment. */
  enqueue(source: FrameSource, idPrefix: string, live = false): Playback {
    const playback = new Playback(`${idPrefix}-play-${this.nextId++}`, source, this, live);
    this.queue.push(playback);
    return playback;
  }

  /** True while something is playing, playing out or queued. */
  get busy(): boolean {
    return this.current !== undefined || this.queue.length > 0 || this.draining.length > 0;
  }

  /**
   * Send every frame due up to `horizonMs` and settle what played out by `nowMs`. Returns when to be pumped next
   * (as a due time: the scheduler wakes `horizonMs − nowMs` before it), or Infinity when there is nothing to do until
   * woken (queue empty, or waiting for a source to load).
   */
  pump(nowMs: number, horizonMs: number): number {
    this.release(nowMs);
    const due = this.send(nowMs, horizonMs);
    this.release(nowMs);
    const event = this.nextPlayoutMs();
    return event === Infinity ? due : Math.min(due, event + (horizonMs - nowMs));
  }

  private send(nowMs: number, horizonMs: number): number {
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
          this.finishCurrent(nowMs);
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
          if (playback.source.exhausted) this.finishCurrent(nowMs);
          continue;
        }
      }
      if (!this.port.send(serializeOutbound({ kind: 'AudioData', samples: frame }))) {
        this.logger.warn({ ...this.context, playback: playback.id }, 'media: talk-back socket is gone; playback cancelled');
        this.cancelAll();
        return Infinity;
      }
      const startMs = this.playoutEndMs > nowMs ? this.playoutEndMs : nowMs;
      this.playoutEndMs = startMs + FRAME_MS;
      playback.startMs ??= startMs;
      playback.endMs = this.playoutEndMs;
      this.heldFrames.push(frame);
      this.heldStart.push(startMs);
      playback.framesSent++;
      this.port.countFrame();
      this.dueMs += FRAME_MS;
      if (playback.source.exhausted) this.finishCurrent(nowMs);
    }
  }

  /** Cancel one playback: a queued one is cut; one sending stops, and what it sent still plays out (no StopAudio). */
  cancel(playback: Playback): void {
    if (playback.settled) return;
    const i = this.queue.indexOf(playback);
    if (i >= 0) this.queue.splice(i, 1);
    playback.cancelled = true;
    playback.source.stop();
    if (this.current === playback) {
      this.current = undefined;
      if (playback.framesSent > 0) {
        this.draining.push(playback);
        return;
      }
    }
    if (!this.draining.includes(playback)) this.settle(playback, 'cancelled', this.now());
  }

  /** Cut the current, playing-out and queued playbacks now (socket gone, session end, StopAudio sent). */
  cancelAll(): void {
    const nowMs = this.now();
    this.cutHeld(nowMs);
    if (this.playoutEndMs > nowMs) this.playoutEndMs = nowMs;
    if (this.dueMs > nowMs) this.dueMs = nowMs;
    const all = [...this.draining.splice(0), ...(this.current === undefined ? [] : [this.current]), ...this.queue.splice(0)];
    this.current = undefined;
    for (const p of all) this.settle(p, p.framesSent > 0 && p.endMs <= nowMs && !p.cancelled ? 'completed' : 'cancelled', nowMs);
  }

  /** Barge-in: StopAudio first (ACS drops what it holds), then cut everything. */
  stop(): void {
    this.port.send(serializeOutbound({ kind: 'StopAudio' }));
    this.cancelAll();
  }

  /** The current playback was sent in full (or its source ended or failed): it plays out, then settles. */
  private finishCurrent(nowMs: number): void {
    const playback = this.current;
    this.current = undefined;
    if (playback === undefined) return;
    if (playback.framesSent > 0 && playback.endMs > nowMs) this.draining.push(playback);
    else this.settle(playback, playback.framesSent > 0 || playback.source.error === undefined ? 'completed' : 'cancelled', nowMs);
  }

  /** Heard frames to the port; playbacks that played out settle. */
  private release(nowMs: number): void {
    while (this.heldHead < this.heldFrames.length && this.heldStart[this.heldHead] + FRAME_MS <= nowMs) {
      this.port.heard(this.heldFrames[this.heldHead], this.heldStart[this.heldHead]);
      this.heldFrames[this.heldHead++] = EMPTY;
    }
    if (this.heldHead > 0 && this.heldHead === this.heldFrames.length) this.clearHeld();
    while (this.draining.length > 0 && this.draining[0].endMs <= nowMs) {
      const p = this.draining.shift() as Playback;
      this.settle(p, p.cancelled ? 'cancelled' : 'completed', nowMs);
    }
  }

  /** At a cut: frames started before `nowMs` were heard (the one playing only up to now), the rest never will be. */
  private cutHeld(nowMs: number): void {
    for (let i = this.heldHead; i < this.heldFrames.length; i++) {
      const start = this.heldStart[i];
      if (start >= nowMs) break;
      let samples = this.heldFrames[i];
      if (start + FRAME_MS > nowMs) {
        const keep = Math.round((samples.length * (nowMs - start)) / FRAME_MS);
        samples = samples.slice();
        samples.fill(0, keep);
      }
      this.port.heard(samples, start);
    }
    this.clearHeld();
  }

  private clearHeld(): void {
    this.heldFrames = [];
    this.heldStart = [];
    this.heldHead = 0;
  }

  /** The next moment the model changes something: a held frame played in full, or a playback played out. */
  private nextPlayoutMs(): number {
    let next = this.heldHead < this.heldFrames.length ? this.heldStart[this.heldHead] + FRAME_MS : Infinity;
    if (this.draining.length > 0 && this.draining[0].endMs < next) next = this.draining[0].endMs;
    return next;
  }

  private settle(playback: Playback, status: 'completed' | 'cancelled', nowMs: number): void {
    const result: PlayResult | undefined = playback.settle(status, nowMs);
    if (result === undefined) return;
    const startTimelineMs = result.heardMs > 0 && playback.startMs !== undefined ? this.port.timelineMsAt(playback.startMs) : undefined;
    const event: PlayoutEvent = { playId: playback.id, sentMs: result.sentMs, heardMs: result.heardMs, startTimelineMs };
    this.port.playout(result.status === 'completed' ? 'played' : 'cut', event);
  }
}

const EMPTY = new Int16Array(0);
