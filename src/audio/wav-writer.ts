// Writes a PCM16 WAV file incrementally: write() only copies into memory; flush() appends the pending bytes with one
// positional write, then rewrites the 44-byte header with the new sizes (on every flush by default, every
// `headerEvery`-th when set, and always at close), so the file is a valid WAV at all times: a header that lags only
// hides the newest audio, and `repairWav` recovers it after a crash. Flushes never interleave.
// A write that fails (disk full, read-only) loses only its own bytes: they keep their place in the file as a hole that
// reads as zeros, the next flush tries again, and close() still finishes the header and always closes the handle.
import { open, type FileHandle } from 'node:fs/promises';
import { checkChannels, checkSampleRate, WavError, WavErrorCode } from './audio-error.js';
import { writePcm16 } from './encode-wav.js';
import { MAX_WAV_DATA_BYTES, serializeWavHeader, WAV_HEADER_BYTES } from './wav-header.js';
import { AcsAudioError, ErrorCode } from '../errors/index.js';

/** Options for {@link createWavWriter}. */
export interface WavWriterOptions {
  readonly sampleRate: number;
  /** Interleaved channels in every write. @default 1 */
  readonly channels?: number;
  /** Opens the file (fault injection, custom storage). @default fs.promises.open */
  readonly openFile?: OpenFile;
  /**
   * Rewrite the header's sizes on every Nth flush (and at close) instead of every flush: half as many file writes
   * for a recorder that flushes often. Between, the header understates the data, so readers see a shorter but valid
   * WAV, and after a crash `repairWav` restores the rest. @default 1
   */
  readonly headerEvery?: number;
  /**
   * Data bytes that come before the first write, left as a hole that reads as zeros: a file opened again after it was
   * lost (its folder deleted, its open failed) goes on at its place on the timeline. @default 0
   */
  readonly skipBytes?: number;
}

/** How a writer opens its file: fs.promises.open or anything that returns a FileHandle. */
export type OpenFile = (path: string, flags: 'w') => Promise<FileHandle>;

/** A WAV file being written; see {@link createWavWriter}. */
export interface WavWriter {
  readonly path: string;
  readonly sampleRate: number;
  readonly channels: number;
  /** Sample frames (samples per channel) accepted by write() so far, flushed or not. */
  readonly samplesWritten: number;
  /** Bytes accepted by write() and not yet handed to a flush. */
  readonly pendingBytes: number;
  /** Bytes whose write failed: they read as zeros in the file (and are gone). */
  readonly bytesLost: number;
  /** Queues interleaved samples (an Int16Array, or PCM16LE bytes) in memory; copies them, does no I/O. */
  write(samples: Int16Array | Buffer): void;
  /** Writes what is pending, then the header sizes (every `headerEvery`-th flush); resolves when written. With the
   *  default `headerEvery` of 1 the file on disk is then a valid WAV of it all. Rejects (WavError ERR_WAV_IO) when a
   *  write failed; the writer stays usable and the next flush tries again. */
  flush(): Promise<void>;
  /** Flushes, finishes the header and closes the file; the handle is closed even when a write fails (then it rejects
   *  with that failure). Idempotent: later calls return the same promise. */
  close(): Promise<void>;
}

const INITIAL_CAPACITY = 16 * 1024;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A buffer of its own (offset 0, so 16-bit aligned) and an Int16Array over it: samples are copied in with no view
 *  made per write. */
function allocatePending(bytes: number): { bytes: Buffer; samples: Int16Array } {
  const memory = new ArrayBuffer(bytes);
  return { bytes: Buffer.from(memory), samples: new Int16Array(memory, 0, bytes >> 1) };
}

class WavFileWriter implements WavWriter {
  samplesWritten = 0;
  bytesLost = 0;
  private pending = allocatePending(INITIAL_CAPACITY);
  private pendingLength = 0;
  /** The buffer not being filled: written out by the flush in progress, then reused. */
  private spare = allocatePending(INITIAL_CAPACITY);
  /** Data bytes handed to flushes (written or lost): where the next write goes. */
  private flushedBytes: number;
  /** Data bytes the header last claimed. */
  private headerBytes = 0;
  /** Where the file's written bytes end (header included): the header never claims more. */
  private fileEnd = WAV_HEADER_BYTES;
  private flushesSinceHeader = 0;
  private queue: Promise<void> = Promise.resolve();
  private closing: Promise<void> | undefined;
  private readonly blockAlign: number;

  readonly sampleRate: number;
  readonly channels: number;
  private readonly headerEvery: number;

  constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    format: { sampleRate: number; channels: number; headerEvery: number; skipBytes: number },
  ) {
    ({ sampleRate: this.sampleRate, channels: this.channels, headerEvery: this.headerEvery } = format);
    this.blockAlign = format.channels * 2;
    this.flushedBytes = format.skipBytes;
  }

  get pendingBytes(): number {
    return this.pendingLength;
  }

  write(samples: Int16Array | Buffer): void {
    if (this.closing !== undefined) {
      throw new WavError(WavErrorCode.WriterClosed, 'write() after close()', { path: this.path });
    }
    const bytes = samples.byteLength;
    if (bytes % this.blockAlign !== 0) {
      throw new WavError(
        WavErrorCode.PartialSample,
        `write() of ${bytes} bytes: not whole frames of ${this.channels} × 16-bit samples`,
        { path: this.path },
      );
    }
    if (this.flushedBytes + this.pendingLength + bytes > MAX_WAV_DATA_BYTES) {
      throw new WavError(WavErrorCode.TooLarge, 'the recording reached the 4 GiB WAV limit; start a new file', { path: this.path });
    }
    this.reserve(bytes);
    if (Buffer.isBuffer(samples)) samples.copy(this.pending.bytes, this.pendingLength);
    else if (LITTLE_ENDIAN) this.pending.samples.set(samples, this.pendingLength >> 1);
    else writePcm16(samples, this.pending.bytes, this.pendingLength);
    this.pendingLength += bytes;
    this.samplesWritten += bytes / this.blockAlign;
  }

  flush(): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    this.queue = this.queue.catch(() => undefined).then(() => this.flushNow(false));
    return this.queue;
  }

  close(): Promise<void> {
    this.closing ??= this.finish();
    return this.closing;
  }

  private async finish(): Promise<void> {
    await this.queue.catch(() => undefined);
    let failure: unknown;
    try {
      await this.flushNow(true);
    } catch (err) {
      failure = err;
    }
    // A lost tail: extend the file over it (a hole, no disk space needed) so the header can claim the whole timeline.
    const end = WAV_HEADER_BYTES + this.flushedBytes;
    if (this.fileEnd < end) {
      try {
        await this.handle.truncate(end);
        this.fileEnd = end;
        await this.writeHeader();
      } catch (err) {
        failure ??= ioError(err, this.path);
      }
    }
    try {
      await this.handle.close();
    } catch (err) {
      failure ??= ioError(err, this.path);
    }
    if (failure !== undefined) throw failure;
  }
  private reserve(bytes: number): void {
    const needed = this.pendingLength + bytes;
    if (needed <= this.pending.bytes.length) return;
    const grown = allocatePending(Math.max(needed, 2 * this.pending.bytes.length));
    this.pending.bytes.copy(grown.bytes, 0, 0, this.pendingLength);
    this.pending = grown;
  }

  private async flushNow(final: boolean): Promise<void> {
    const bytes = this.pendingLength;
    const data = this.pending;
    this.pending = this.spare;
    this.pendingLength = 0;
    const offset = WAV_HEADER_BYTES + this.flushedBytes;
    // Written or lost, the bytes keep their place, so the file stays on the timeline.
    this.flushedBytes += bytes;
    try {
      if (bytes > 0) {
        const written = await this.writeFully(data.bytes, bytes, offset);
        this.fileEnd = Math.max(this.fileEnd, offset + written);
        if (written < bytes) {
          this.bytesLost += bytes - written;
          throw ioError(this.lastWriteError, this.path);
        }
      }
      if (++this.flushesSinceHeader < this.headerEvery && !final) return;
      this.flushesSinceHeader = 0;
      await this.writeHeader();
    } finally {
      this.spare = data;
    }
  }

  private lastWriteError: unknown;

  /** Write `bytes` at `offset`, going on after short writes (a filling disk takes part of a write, then fails); returns
   *  how many bytes were written. */
  private async writeFully(buffer: Buffer, bytes: number, offset: number): Promise<number> {
    let done = 0;
    try {
      while (done < bytes) {
        const { bytesWritten } = await this.handle.write(buffer, done, bytes - done, offset + done);
        if (bytesWritten === 0) throw new Error('the disk took no bytes');
        done += bytesWritten;
      }
    } catch (err) {
      this.lastWriteError = err;
    }
    return done;
  }

  /** Rewrite the header's sizes to what the file holds (skipped when they are already right). */
  private async writeHeader(): Promise<void> {
    const held = this.fileEnd - WAV_HEADER_BYTES;
    const claimed = held - (held % this.blockAlign);
    if (claimed === this.headerBytes) return;
    const header = serializeWavHeader(this.sampleRate, this.channels, claimed);
    try {
      await this.handle.write(header, 0, WAV_HEADER_BYTES, 0);
    } catch (err) {
      throw ioError(err, this.path);
    }
    this.headerBytes = claimed;
  }
}

function ioError(cause: unknown, path: string): WavError {
  return new WavError(WavErrorCode.Io, `writing the recording failed: ${(cause as Error).message}`, { cause, path });
}

/**
 * Creates (or truncates) `path` and writes an empty WAV header at once, so the file is valid from the start.
 * Async file I/O only; one write per flush for the samples plus one for the header (every `headerEvery`-th flush).
 */
export async function createWavWriter(path: string, options: WavWriterOptions): Promise<WavWriter> {
  const { sampleRate, channels = 1, openFile = open, headerEvery = 1, skipBytes = 0 } = options;
  checkSampleRate(sampleRate, 'sampleRate');
  checkChannels(channels);
  if (!Number.isInteger(headerEvery) || headerEvery < 1) {
    throw new AcsAudioError(ErrorCode.BadOptions, `createWavWriter: headerEvery must be a whole number ≥ 1 (flushes per header rewrite), got ${headerEvery}`);
  }
  if (!Number.isInteger(skipBytes) || skipBytes < 0 || skipBytes % (channels * 2) !== 0) {
    throw new AcsAudioError(ErrorCode.BadOptions, `createWavWriter: skipBytes must be a whole number of sample frames (${channels * 2} bytes each), got ${skipBytes}`);
  }
  let handle: FileHandle | undefined;
  try {
    handle = await openFile(path, 'w');
    await handle.write(serializeWavHeader(sampleRate, channels, 0), 0, WAV_HEADER_BYTES, 0);
  } catch (cause) {
    await handle?.close().catch(() => undefined);
    throw new WavError(WavErrorCode.Io, `cannot create the recording: ${(cause as Error).message}`, { cause, path });
  }
  return new WavFileWriter(path, handle, { sampleRate, channels, headerEvery, skipBytes });
}
