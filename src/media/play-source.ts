// Talk-back sources → 20 ms mono frames at the session's rate: PCM at any rate, a WAV (path or buffer) at any
// rate and channel count, or an async stream of PCM chunks pulled a little ahead of the pacer.
import { readFile } from 'node:fs/promises';
import type { SampleRate } from '../protocol/index.js';
import type { PlaySource } from './contract.js';
import { MediaError, MediaErrorCode } from './media-error.js';
import { createResampler, frameSamples, readWav, resample, toMono } from '../audio/index.js';

/** Frames of a stream source decoded ahead of the pacer (1 s). */
const STREAM_AHEAD_FRAMES = 50;

/** Frames for the pacer, pulled one at a time. */
export interface FrameSource {
  /** The next frame, or undefined when none is ready yet (still loading, stream underrun) or none is left. */
  next(): Int16Array | undefined;
  /** True when no frame will come anymore. */
  readonly exhausted: boolean;
  /** Why the source failed, if it did (then it is exhausted). */
  readonly error: MediaError | undefined;
  /** Stop producing and release what the source holds. */
  stop(): void;
}

/** PCM already at the session rate, cut into frames as views (the last one padded with zeros). */
class PcmFrames implements FrameSource {
  error: MediaError | undefined = undefined;
  private pos = 0;

  constructor(
    private pcm: Int16Array,
    private readonly spf: number,
  ) {}

  get exhausted(): boolean {
    return this.pos >= this.pcm.length;
  }

  next(): Int16Array | undefined {
    if (this.pos >= this.pcm.length) return undefined;
    const end = this.pos + this.spf;
    let frame: Int16Array;
    if (end <= this.pcm.length) frame = this.pcm.subarray(this.pos, end);
    else {
      frame = new Int16Array(this.spf);
      frame.set(this.pcm.subarray(this.pos));
    }
    this.pos = end;
    return frame;
  }

  stop(): void {
    this.pos = this.pcm.length;
    this.pcm = new Int16Array(0);
  }
}

/** Decode a WAV buffer to mono PCM at `sampleRate`. Throws MediaError(BadPlaySource). */
function wavToPcm(buffer: Buffer, sampleRate: SampleRate, what: string): Int16Array {
  let wav: { sampleRate: number; channels: number; samples: Int16Array };
  try {
    wav = readWav(buffer);
  } catch (cause) {
    throw new MediaError(MediaErrorCode.BadPlaySource, `play: ${what} is not a readable PCM16 WAV file`, { cause });
  }
  return resample(toMono(wav.samples, wav.channels), wav.sampleRate, sampleRate);
}

/** A WAV file read asynchronously; frames once loaded. */
class WavFileFrames implements FrameSource {
  error: MediaError | undefined = undefined;
  private frames: PcmFrames | undefined;
  private stopped = false;

  constructor(path: string, sampleRate: SampleRate, spf: number, wake: () => void) {
    readFile(path).then(
      (buffer) => {
        if (this.stopped) return;
        try {
          this.frames = new PcmFrames(wavToPcm(buffer, sampleRate, path), spf);
        } catch (err) {
          this.error = err as MediaError;
        }
        wake();
      },
      (cause: unknown) => {
        this.error = new MediaError(MediaErrorCode.BadPlaySource, `play: cannot read WAV file ${path}`, { cause });
        wake();
      },
    );
  }

  get exhausted(): boolean {
    return this.stopped || this.error !== undefined || (this.frames?.exhausted ?? false);
  }

  next(): Int16Array | undefined {
    return this.frames?.next();
  }

  stop(): void {
    this.stopped = true;
    this.frames?.stop();
  }
}

/** PCM16LE chunks from an async iterable, resampled, cut into frames, pulled up to STREAM_AHEAD_FRAMES ahead. */
class StreamFrames implements FrameSource {
  error: MediaError | undefined = undefined;
  private readonly ready: Int16Array[] = [];
  private partial: Int16Array;
  private partialLength = 0;
  private carry: number | undefined;
  private ended = false;
  private stopped = false;
  private pulling = false;
  private readonly iterator: AsyncIterator<Buffer | Int16Array>;
  private readonly resampler: ReturnType<typeof createResampler> | undefined;

  constructor(
    stream: AsyncIterable<Buffer | Int16Array>,
    fromRate: number,
    toRate: SampleRate,
    private readonly spf: number,
    private readonly wake: () => void,
  ) {
    this.iterator = stream[Symbol.asyncIterator]();
    this.resampler = fromRate === toRate ? undefined : createResampler(fromRate, toRate);
    this.partial = new Int16Array(spf);
    void this.pull();
  }

  get exhausted(): boolean {
    return this.stopped || (this.ended && this.ready.length === 0);
  }

  next(): Int16Array | undefined {
    const frame = this.ready.shift();
    if (!this.ended && !this.pulling && this.ready.length < STREAM_AHEAD_FRAMES) void this.pull();
    return frame;
  }

  stop(): void {
    this.stopped = true;
    this.ready.length = 0;
    void this.iterator.return?.();
  }

  private async pull(): Promise<void> {
    this.pulling = true;
    try {
      while (!this.stopped && !this.ended && this.ready.length < STREAM_AHEAD_FRAMES) {
        const result = await this.iterator.next();
        if (result.done === true) {
          this.push(this.resampler?.flush() ?? new Int16Array(0));
          if (this.partialLength > 0) {
            this.partial.fill(0, this.partialLength);
            this.ready.push(this.partial);
            this.partialLength = 0;
          }
          this.ended = true;
        } else {
          const pcm = this.toSamples(result.value);
          this.push(this.resampler === undefined ? pcm : this.resampler.push(pcm));
        }
        this.wake();
      }
    } catch (cause) {
      this.error = new MediaError(MediaErrorCode.BadPlaySource, 'play: the audio stream failed', { cause });
      this.ended = true;
      this.ready.length = 0;
      this.wake();
    } finally {
      this.pulling = false;
    }
  }

  private toSamples(chunk: Buffer | Int16Array): Int16Array {
    if (chunk instanceof Int16Array) return chunk;
    let bytes: Buffer = chunk;
    if (this.carry !== undefined) {
      bytes = Buffer.concat([Buffer.of(this.carry), chunk]);
      this.carry = undefined;
    }
    if (bytes.length % 2 === 1) {
      this.carry = bytes[bytes.length - 1];
      bytes = bytes.subarray(0, bytes.length - 1);
    }
    const out = new Int16Array(bytes.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = bytes.readInt16LE(i * 2);
    return out;
  }

  private push(pcm: Int16Array): void {
    let pos = 0;
    while (pos < pcm.length) {
      const n = Math.min(this.spf - this.partialLength, pcm.length - pos);
      this.partial.set(pcm.subarray(pos, pos + n), this.partialLength);
      this.partialLength += n;
      pos += n;
      if (this.partialLength === this.spf) {
        this.ready.push(this.partial);
        this.partial = new Int16Array(this.spf);
        this.partialLength = 0;
      }
    }
  }
}

/** Throws MediaError(BadPlaySource) unless `rate` is a usable PCM rate. */
export function checkRate(rate: number): void {
  if (!Number.isInteger(rate) || rate < 1000 || rate > 384000) {
    throw new MediaError(MediaErrorCode.BadPlaySource, `play: sampleRate ${rate} is not a usable PCM rate (an integer from 1000 to 384000)`);
  }
}

/**
 * Frames for a play source at `sampleRate`. PCM and WAV buffers are decoded now (a bad one throws
 * MediaError ERR_MEDIA_BAD_PLAY_SOURCE); a WAV path and a stream load asynchronously and call `wake` when ready.
 */
export function createFrameSource(source: PlaySource, sampleRate: SampleRate, wake: () => void): FrameSource {
  const spf = frameSamples(sampleRate);
  if ('pcm' in source) {
    checkRate(source.sampleRate);
    return new PcmFrames(resample(source.pcm, source.sampleRate, sampleRate), spf);
  }
  if ('wav' in source) return new PcmFrames(wavToPcm(source.wav, sampleRate, 'the WAV buffer'), spf);
  if ('wavPath' in source) return new WavFileFrames(source.wavPath, sampleRate, spf, wake);
  if ('stream' in source) {
    checkRate(source.sampleRate);
    return new StreamFrames(source.stream, source.sampleRate, sampleRate, spf, wake);
  }
  throw new MediaError(MediaErrorCode.BadPlaySource, 'play: the source needs one of pcm, wav, wavPath or stream');
}
