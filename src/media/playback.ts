// One playback of a session's talk-back (a PlayHandle): queued → sending → playing out (all sent, ACS still holds
// some) → settled. What the caller heard is the pacing model's (talk-back.ts): ACS plays what it is sent in real time,
// so of what was sent, all but what ACS still holds (`endMs − now`) was heard; a cut freezes it.
import type { PlayHandle, PlayResult } from './contract.js';
import type { FrameSource } from './play-source.js';
import { FRAME_MS } from '../audio/index.js';

/** What a playback asks of its queue. */
export interface PlaybackOwner {
  now(): number;
  cancel(playback: Playback): void;
}

/** One queued playback. */
export class Playback implements PlayHandle {
  readonly done: Promise<PlayResult>;
  framesSent = 0;
  framesSkipped = 0;
  settled = false;
  /** Set by cancel() while sending: the frames already sent still play out, then it settles 'cancelled'. */
  cancelled = false;
  /** Epoch ms at which ACS starts playing this playback's first frame (the model); undefined before one was sent. */
  startMs: number | undefined;
  /** Epoch ms at which ACS has played the last frame sent so far. */
  endMs = 0;
  private heardFinal = 0;
  private resolve!: (result: PlayResult) => void;

  constructor(
    readonly id: string,
    readonly source: FrameSource,
    private readonly owner: PlaybackOwner,
    readonly live: boolean,
  ) {
    this.done = new Promise((resolve) => {
      this.resolve = resolve;
    });
  }

  get sentMs(): number {
    return this.framesSent * FRAME_MS;
  }

  get playedMs(): number {
    return this.settled ? this.heardFinal : this.heardAt(this.owner.now());
  }

  /** Heard by `nowMs`: sent minus what ACS still holds, within [0, sent]. */
  heardAt(nowMs: number): number {
    if (this.framesSent === 0) return 0;
    const heard = this.sentMs - (this.endMs - nowMs);
    return heard <= 0 ? 0 : heard >= this.sentMs ? this.sentMs : heard;
  }

  cancel(): void {
    this.owner.cancel(this);
  }

  /** Resolve `done`, with what was heard by `nowMs` (frozen from now on). A source error makes it 'cancelled'. */
  settle(status: 'completed' | 'cancelled', nowMs: number): PlayResult | undefined {
    if (this.settled) return undefined;
    this.heardFinal = this.heardAt(nowMs);
    this.settled = true;
    this.source.stop();
    const error = this.source.error;
    const { framesSent, framesSkipped } = this;
    const result: PlayResult =
      error === undefined
        ? { status, framesSent, framesSkipped, sentMs: this.sentMs, heardMs: this.heardFinal }
        : { status: 'cancelled', framesSent, framesSkipped, error, sentMs: this.sentMs, heardMs: this.heardFinal };
    this.resolve(result);
    return result;
  }
}
