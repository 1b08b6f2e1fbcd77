// A session's recording memory bound: bytes appended but not yet on disk. Past the bound frames are dropped and
// counted, and the drop is logged once per burst, so a slow disk costs audio, never memory or other sessions.
import type { Logger } from 'pino';
import { createWavWriter, type OpenFile, type WavWriter } from '../audio/index.js';

/** Bytes queued for disk across a session's recording files, against `maxBytes`. */
export class RecordingBudget {
  queuedBytes = 0;
  dropped = 0;
  private inBurst = false;

  constructor(
    readonly maxBytes: number,
    private readonly logger: Logger,
    private readonly context: Record<string, unknown>,
  ) {}

  /** Reserve room for `bytes`; false (and a counted drop) when the bound would be passed. */
  reserve(bytes: number): boolean {
    if (this.queuedBytes + bytes > this.maxBytes) {
      this.drop();
      return false;
    }
    this.queuedBytes += bytes;
    this.inBurst = false;
    return true;
  }

  /** Reserve room without counting a drop when there is none (for paying back owed silence). */
  tryReserve(bytes: number): boolean {
    if (this.queuedBytes + bytes > this.maxBytes) return false;
    this.queuedBytes += bytes;
    return true;
  }

  /** Count one dropped frame; log at the start of a burst. */
  drop(): void {
    this.dropped++;
    if (!this.inBurst) {
      this.inBurst = true;
      this.logger.warn(
        { ...this.context, queuedBytes: this.queuedBytes, maxBytes: this.maxBytes, dropped: this.dropped },
        'media: recording queue full (disk too slow?); dropping frames, they become silence in the WAV',
      );
    }
  }

  /** Bytes reached the disk. */
  release(bytes: number): void {
    this.queuedBytes = Math.max(0, this.queuedBytes - bytes);
  }
}

/** What a session's WAVs share: both recording sinks and each of their BudgetedWavs take it. */
export interface RecordingTarget {
  dir: string;
  sampleRate: number;
  budget: RecordingBudget;
  /** A shared, never-written frame of zeros at the session rate. */
  silence: Int16Array;
  /** Resolves when `dir` exists; files open after it. */
  ready: Promise<void>;
  /** Opens each WAV file. @default fs.promises.open */
  openFile?: OpenFile;
  /** Flushes per header rewrite (WavWriterOptions.headerEvery). @default 1 */
  headerEvery?: number;
}

/** Frames of owed silence written per batch when paying back at close, so memory stays bounded. */
const OWED_BATCH = 250;

/**
 * One WAV file behind a budget. A frame that does not fit is dropped and owed: silence is written in its place as
 * soon as room returns (and at close), so the file stays aligned with the timeline. The file opens asynchronously
 * once its folder exists; frames appended before that wait in memory (within the same budget).
 */
export class BudgetedWav {
  /** Frames written (including owed silence paid back). */
  frames = 0;
  /** Why the file could not be opened or written, if it could not. */
  failure: unknown;
  private owed = 0;
  private unflushed = 0;
  private wav: WavWriter | undefined;
  /** Frames appended before the file was open, back to back. */
  private early = new Int16Array(0);
  private earlyLength = 0;
  private readonly opening: Promise<WavWriter | undefined>;

  private readonly budget: RecordingBudget;
  private readonly silence: Int16Array;

  /** The file at `path`, with the rate, budget, silence, folder and file options of `target`. */
  constructor(readonly path: string, target: RecordingTarget) {
    this.budget = target.budget;
    this.silence = target.silence;
    const { sampleRate, openFile, headerEvery } = target;
    this.opening = target.ready
      .then(() => createWavWriter(path, { sampleRate, openFile, headerEvery }))
      .then(
        (wav) => {
          if (this.earlyLength > 0) wav.write(this.early.subarray(0, this.earlyLength));
          this.early = new Int16Array(0);
          this.earlyLength = 0;
          this.wav = wav;
          return wav;
        },
        (err: unknown) => {
          this.failure ??= err;
          this.early = new Int16Array(0);
          this.earlyLength = 0;
          return undefined;
        },
      );
  }

  /** Append a frame (copied); false when it was dropped for the budget. */
  append(samples: Int16Array): boolean {
    const bytes = samples.length * 2;
    if (this.owed > 0) {
      this.payOwed(bytes);
      if (this.owed > 0) {
        // Still no room: this frame waits behind the owed ones (order is the timeline).
        this.budget.drop();
        this.owed++;
        return false;
      }
    }
    if (!this.budget.reserve(bytes)) {
      this.owed++;
      return false;
    }
    this.put(samples);
    this.unflushed += bytes;
    this.frames++;
    return true;
  }

  /** Write what is queued to disk (the WAV is valid afterwards; its header may lag, see `headerEvery`). */
  async flush(): Promise<void> {
    const wav = await this.opening;
    const bytes = this.unflushed;
    this.unflushed = 0;
    try {
      await wav?.flush();
    } finally {
      this.budget.release(bytes);
    }
  }

  /** Pay back owed silence in bounded batches, flush and close the file. */
  async close(): Promise<void> {
    const wav = await this.opening;
    if (wav === undefined) {
      this.budget.release(this.unflushed);
      this.unflushed = 0;
      throw this.failure;
    }
    while (this.owed > 0) {
      for (let i = 0; i < OWED_BATCH && this.owed > 0; i++) {
        wav.write(this.silence);
        this.owed--;
        this.frames++;
      }
      await wav.flush();
    }
    await this.flush();
    await wav.close();
  }

  private put(samples: Int16Array): void {
    if (this.wav !== undefined) this.wav.write(samples);
    else if (this.failure === undefined) {
      const needed = this.earlyLength + samples.length;
      if (needed > this.early.length) {
        const grown = new Int16Array(Math.max(needed, this.early.length * 2, 16 * 1024));
        grown.set(this.early.subarray(0, this.earlyLength));
        this.early = grown;
      }
      this.early.set(samples, this.earlyLength);
      this.earlyLength = needed;
    }
  }

  private payOwed(bytes: number): void {
    while (this.owed > 0 && this.budget.tryReserve(bytes)) {
      this.put(this.silence);
      this.unflushed += bytes;
      this.owed--;
      this.frames++;
    }
  }
}
