// session.playStream: a playback fed while it plays (a realtime model's audio deltas). Written PCM is resampled to
// the session rate by our streaming resampler (src/audio), cut into 20 ms frames and queued; the pacer sends them at
// real time like a file's (never skipped, never early). The queue is bounded (maxQueuedMs): a frame that does not
// fit is dropped and counted (framesSkipped, the session's talkBackSkipped), so a runaway writer cannot grow memory.
import type { SampleRate } from '../protocol/index.js';
import type { PlayResult, PlayStream } from './contract.js';
import { MediaError, MediaErrorCode } from './media-error.js';
import type { FrameSource } from './play-source.js';
import type { Playback } from './playback.js';
import { createResampler, FRAME_MS, frameSamples, type Resampler } from '../audio/index.js';

/** Default bound on a stream's queued audio: a whole long answer from a model that generates faster than real time. */
export const DEFAULT_STREAM_QUEUE_MS = 60_000;

/** Throws MediaError(BadPlaySource) unless `maxQueuedMs` is usable. */
export function checkMaxQueuedMs(ms: number): void {
  if (!(Number.isFinite(ms) && ms >= FRAME_MS && ms <= 3_600_000)) {
    throw new MediaError(MediaErrorCode.BadPlaySource, `playStream: maxQueuedMs ${ms} must be a number of ms from ${FRAME_MS} to 3600000`);
  }
}

/** Frames pushed by the app (`write`/`end`), resampled and queued for the pacer. */
export class PushFrames implements FrameSource {
  readonly error: MediaError | undefined = undefined;
  private ready: Int16Array[] = [];
  private head = 0;
  private partial: Int16Array;
  private partialLength = 0;
  private ended = false;
  private stopped = false;
  private readonly spf: number;
  private readonly resampler: Resampler | undefined;

  constructor(
    fromRate: number,
    toRate: SampleRate,
    private readonly maxFrames: number,
    /** Tells the pacer frames are ready (it may be idle waiting for them). */
    private readonly wake: () => void,
  ) {
    this.spf = frameSamples(toRate);
    this.partial = new Int16Array(this.spf);
    this.resampler = fromRate === toRate ? undefined : createResampler(fromRate, toRate);
  }

  get exhausted(): boolean {
    return this.stopped || (this.ended && this.head === this.ready.length);
  }

  /** Frames queued, not yet sent. */
  get queued(): number {
    return this.ready.length - this.head;
  }

  next(): Int16Array | undefined {
    if (this.head === this.ready.length) return undefined;
    const frame = this.ready[this.head];
    this.ready[this.head++] = EMPTY;
    // Compact now and then: a moving head keeps next() O(1), this keeps the array from growing for good.
    if (this.head >= 1024 && this.head * 2 >= this.ready.length) {
      this.ready = this.ready.slice(this.head);
      this.head = 0;
    }
    return frame;
  }

  /** Queue PCM16 mono at the stream's rate; returns how many frames were dropped for the queue bound. Ignored once
   *  the stream ended or was cut (a model's deltas still in flight after a barge-in land here). */
  write(samples: Int16Array): number {
    if (this.ended || this.stopped) return 0;
    const pcm = this.resampler === undefined ? samples : this.resampler.push(samples);
    const dropped = this.push(pcm);
    this.wake();
    return dropped;
  }

  /** No more audio: the resampler's tail and the last partial frame (padded with zeros) are queued. */
  end(): number {
    if (this.ended || this.stopped) return 0;
    let dropped = this.resampler === undefined ? 0 : this.push(this.resampler.flush());
    if (this.partialLength > 0) {
      this.partial.fill(0, this.partialLength);
      dropped += this.queue(this.partial);
      this.partialLength = 0;
    }
    this.ended = true;
    this.wake();
    return dropped;
  }

  stop(): void {
    this.stopped = true;
    this.ready = [];
    this.head = 0;
  }

  private push(pcm: Int16Array): number {
    let dropped = 0;
    let pos = 0;
    while (pos < pcm.length) {
      const n = Math.min(this.spf - this.partialLength, pcm.length - pos);
      this.partial.set(pcm.subarray(pos, pos + n), this.partialLength);
      this.partialLength += n;
      pos += n;
      if (this.partialLength === this.spf) {
        dropped += this.queue(this.partial);
        this.partial = new Int16Array(this.spf);
        this.partialLength = 0;
      }
    }
    return dropped;
  }

  private queue(frame: Int16Array): number {
    if (this.queued >= this.maxFrames) return 1;
    this.ready.push(frame);
    return 0;
  }
}

/** The PlayStream handle: the playback's state, plus write/end into its source. */
export class PlayStreamHandle implements PlayStream {
  constructor(
    private readonly playback: Playback,
    private readonly source: PushFrames,
    /** Counts one dropped frame in the session's talkBackSkipped. */
    private readonly countSkipped: () => void,
  ) {}

  get id(): string {
    return this.playback.id;
  }
  get done(): Promise<PlayResult> {
    return this.playback.done;
  }
  get sentMs(): number {
    return this.playback.sentMs;
  }
  get playedMs(): number {
    return this.playback.playedMs;
  }
  cancel(): void {
    this.playback.cancel();
  }
  write(samples: Int16Array): void {
    if (!(samples instanceof Int16Array)) throw new MediaError(MediaErrorCode.BadPlaySource, 'playStream.write: pass PCM16 mono as an Int16Array');
    this.dropped(this.source.write(samples));
  }
  end(): void {
    this.dropped(this.source.end());
  }

  private dropped(frames: number): void {
    for (let i = 0; i < frames; i++) {
      this.playback.framesSkipped++;
      this.countSkipped();
    }
  }
}

const EMPTY = new Int16Array(0);
