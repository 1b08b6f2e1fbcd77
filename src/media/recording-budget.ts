// A session's recording memory bound: bytes appended but not yet on disk. Past the bound frames are dropped and
// counted, and the drop is logged once per burst, so a slow disk costs audio, never memory or other sessions.
import type { Logger } from 'pino';
import { createWavWriter, type OpenFile, type WavWriter } from '../audio/index.js';
import { MediaError, MediaErrorCode } from './media-error.js';
import type { RecordingHealth } from './recording-health.js';

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

/** The hub-wide count of open recording files against `maxRecordingFiles` (each is a file descriptor). */
export class RecordingFileSlots {
  open = 0;
  constructor(readonly max: number) {}

  get full(): boolean {
    return this.open >= this.max;
  }

  /** Take a slot for a file about to open; false when all are taken. */
  acquire(): boolean {
    if (this.open >= this.max) return false;
    this.open++;
    return true;
  }

  release(): void {
    this.open = Math.max(0, this.open - 1);
  }
}

/** What a session's WAVs share: both recording sinks and each of their BudgetedWavs take it. */
export interface RecordingTarget {
  dir: string;
  sampleRate: number;
  budget: RecordingBudget;
  /** A shared, never-written frame of zeros at the session rate. */
  silence: Int16Array;
  /** Makes sure `dir` exists (again, after it was deleted or could not be made); false when it cannot be made. */
  folder(): Promise<boolean>;
  /** Told of every failed file operation, and of successes (so a recovery is seen). */
  health: RecordingHealth;
  /** Open files across the hub, against `maxRecordingFiles`. */
  files: RecordingFileSlots;
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
 * once its folder exists; frames appended before that wait in memory (within the same budget). A file that cannot be
 * opened or written loses the frames of that moment, keeps their place (they read as zeros), and is tried again on
 * the next flush; `reopen()` starts the file anew at the same place after its folder was deleted.
 */
export class BudgetedWav {
  /** Frames written (including owed silence paid back). */
  frames = 0;
  private owed = 0;
  private unflushed = 0;
  /** Data bytes placed in the file so far (written or lost): where the next frame goes. */
  private position = 0;
  /** Bytes lost while the file could not be opened, and by writers given up (reopen). */
  private lostBytes = 0;
  private wav: WavWriter | undefined;
  /** True while an open is under way: appends then wait in `early`. */
  private opening = false;
  /** Frames appended while the file was opening, back to back. */
  private early = new Int16Array(0);
  private earlyLength = 0;
  /** flush, close and reopen run one after the other. */
  private chain: Promise<void>;
  private readonly budget: RecordingBudget;
  private readonly silence: Int16Array;
  /** The file limit is reported once per file, not on every retry. */
  private reportedFileLimit = false;
  private openedOnce = false;

  /** The file at `path`, with the rate, budget, silence, folder and file options of `target`. */
  constructor(readonly path: string, private readonly target: RecordingTarget) {
    this.budget = target.budget;
    this.silence = target.silence;
    this.chain = this.open();
  }

  /** Whether the file was ever opened (a file past the open-file limit may never be). */
  get opened(): boolean {
    return this.openedOnce;
  }

  /** Frames lost to failed opens and writes (they read as zeros in the file). */
  get lostFrames(): number {
    return Math.floor((this.lostBytes + (this.wav?.bytesLost ?? 0)) / (this.silence.length * 2));
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
    this.frames++;
    return true;
  }

  /** Write what is queued to disk (the WAV is valid afterwards; its header may lag, see `headerEvery`). A file that
   *  could not be opened is tried again first. Never rejects: failures go to the target's health. */
  flush(): Promise<void> {
    return this.serially(async () => {
      if (this.wav === undefined && !this.reportedFileLimit) await this.open();
      await this.flushNow();
    });
  }

  /** Pay back owed silence in bounded batches, flush and close the file. Never rejects. */
  close(): Promise<void> {
    return this.serially(async () => {
      // Even a file that never opened is made now, as zeros of its length, so every track's file lines up.
      if (this.wav === undefined) await this.open();
      const wav = this.wav;
      while (wav !== undefined && this.owed > 0) {
        for (let i = 0; i < OWED_BATCH && this.owed > 0; i++) {
          this.put(this.silence);
          this.owed--;
          this.frames++;
        }
        await this.flushNow();
      }
      await this.flushNow();
      if (wav === undefined) return;
      try {
        await wav.close();
        this.target.health.ok();
      } catch (err) {
        this.target.health.fail(err, this.path);
      } finally {
        this.target.files.release();
      }
    });
  }

  /** The file was deleted with its folder: close the old handle (freeing its space) and start the file again at the
   *  same place; what the old file held counts as lost. */
  reopen(): Promise<void> {
    return this.serially(async () => {
      const old = this.wav;
      if (old === undefined) return;
      this.wav = undefined;
      this.lostBytes += old.samplesWritten * 2;
      await old.close().catch(() => undefined);
      this.target.files.release();
      await this.open();
    });
  }

  private serially(step: () => Promise<void>): Promise<void> {
    const run = this.chain.then(step);
    this.chain = run.catch(() => undefined);
    return this.chain;
  }

  private async open(): Promise<void> {
    this.opening = true;
    const skipBytes = this.position - this.earlyLength * 2;
    try {
      // A folder that cannot be made was reported by folder() itself.
      if (!(await this.target.folder())) return this.loseEarly();
      if (!this.target.files.acquire()) {
        if (!this.reportedFileLimit) {
          this.reportedFileLimit = true;
          const limit = this.target.files.max;
          this.target.health.fail(new MediaError(MediaErrorCode.RecordingFileLimit, `${limit} recording files are open (maxRecordingFiles / --max-recording-files); this file waits for one to close`), this.path);
        }
        return this.loseEarly();
      }
      const { sampleRate, openFile, headerEvery } = this.target;
      let wav: WavWriter;
      try {
        wav = await createWavWriter(this.path, { sampleRate, openFile, headerEvery, skipBytes });
      } catch (err) {
        this.target.files.release();
        throw err;
      }
      if (this.earlyLength > 0) wav.write(this.early.subarray(0, this.earlyLength));
      this.wav = wav;
      this.openedOnce = true;
    } catch (err) {
      this.target.health.fail(err, this.path);
      this.loseEarly();
    } finally {
      this.opening = false;
      this.early = new Int16Array(0);
      this.earlyLength = 0;
    }
  }

  private loseEarly(): void {
    this.lostBytes += this.earlyLength * 2;
  }

  private async flushNow(): Promise<void> {
    const bytes = this.unflushed;
    this.unflushed = 0;
    try {
      await this.wav?.flush();
      if (this.wav !== undefined) this.target.health.ok();
    } catch (err) {
      this.target.health.fail(err, this.path);
    } finally {
      this.budget.release(bytes);
    }
  }

  private put(samples: Int16Array): void {
    const bytes = samples.length * 2;
    this.position += bytes;
    if (this.wav !== undefined) {
      this.wav.write(samples);
      this.unflushed += bytes;
    } else if (this.opening) {
      const needed = this.earlyLength + samples.length;
      if (needed > this.early.length) {
        const grown = new Int16Array(Math.max(needed, this.early.length * 2, 16 * 1024));
        grown.set(this.early.subarray(0, this.earlyLength));
        this.early = grown;
      }
      this.early.set(samples, this.earlyLength);
      this.earlyLength = needed;
      this.unflushed += bytes;
    } else {
      // The file could not be opened: the frame is lost, keeps its place, and its room is free again at once.
      this.lostBytes += bytes;
      this.budget.release(bytes);
    }
  }

  private payOwed(bytes: number): void {
    while (this.owed > 0 && this.budget.tryReserve(bytes)) {
      this.put(this.silence);
      this.owed--;
      this.frames++;
    }
  }
}
