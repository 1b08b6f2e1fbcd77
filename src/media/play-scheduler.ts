// One pacer for every session's talk-back: a single timer armed for the earliest due frame across sessions,
// instead of a timer per playback. Due times are absolute (start + n × 20 ms), so timer lateness never accumulates.
import type { TalkBack } from './talk-back.js';

/** Drives every active TalkBack from one timer. */
export class PlayScheduler {
  private readonly active = new Set<TalkBack>();
  private timer: NodeJS.Timeout | undefined;
  /** A wake for something due now: setImmediate, since even setTimeout(0) waits at least a millisecond. */
  private immediate: NodeJS.Immediate | undefined;
  private timerDueMs = Infinity;
  private closed = false;

  constructor(
    private readonly now: () => number,
    /** How far ahead of its due time a frame may be sent (a small lead absorbs timer lateness). */
    private readonly leadMs: number,
  ) {}

  /**
   * Something changed for `talkBack` (a playback was queued, a source loaded): pump it soon, or with `now` in this
   * very call (live audio: waiting even for setImmediate would add the rest of this event-loop turn to its delay).
   */
  wake(talkBack: TalkBack, now = false): void {
    if (this.closed) return;
    if (now) {
      const nowMs = this.now();
      const due = talkBack.pump(nowMs, nowMs + this.leadMs);
      if (due === Infinity) return;
      this.active.add(talkBack);
      this.arm(due - this.leadMs);
      return;
    }
    this.active.add(talkBack);
    this.arm(this.now());
  }

  /** Stop the timer for good. */
  close(): void {
    this.closed = true;
    this.active.clear();
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }

  private readonly tick = (): void => {
    this.timer = undefined;
    this.immediate = undefined;
    this.timerDueMs = Infinity;
    const now = this.now();
    let next = Infinity;
    for (const talkBack of this.active) {
      const due = talkBack.pump(now, now + this.leadMs);
      if (due === Infinity) this.active.delete(talkBack);
      else if (due < next) next = due;
    }
    if (next !== Infinity) this.arm(next - this.leadMs);
  };

  private arm(atMs: number): void {
    if (this.closed || atMs >= this.timerDueMs) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDueMs = atMs;
    const delay = atMs - this.now();
    if (delay <= 0) this.immediate ??= setImmediate(this.tick);
    else this.timer = setTimeout(this.tick, delay);
  }
}
