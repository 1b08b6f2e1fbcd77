// The audio library's errors: one class for WAV files (stable `code`, readable message, `cause` kept) and one for
// bad arguments to the pure PCM functions. Both are AcsAudioErrors (src/errors, docs/errors.md).
import { AcsAudioError } from '../errors/index.js';

/** Stable codes of {@link WavError}. */
export const WavErrorCode = {
  /** The bytes do not start with `RIFF....WAVE` (not a WAV file, or RF64/RIFX). */
  NotRiff: 'ERR_WAV_NOT_RIFF',
  /** A header or chunk ends before its declared size, or the data chunk is shorter than declared. */
  Truncated: 'ERR_WAV_TRUNCATED',
  /** Not 16-bit integer PCM (8/24/32-bit, float, A-law, µ-law, ADPCM, ...). */
  UnsupportedEncoding: 'ERR_WAV_UNSUPPORTED_ENCODING',
  /** The `fmt ` chunk is missing or holds impossible values (0 channels, 0 Hz, ...). */
  BadFormat: 'ERR_WAV_BAD_FORMAT',
  /** There is no `data` chunk. */
  NoData: 'ERR_WAV_NO_DATA',
  /** More audio than a RIFF file can hold (4 GiB). */
  TooLarge: 'ERR_WAV_TOO_LARGE',
  /** Bytes written to a WAV writer that are not whole sample frames. */
  PartialSample: 'ERR_WAV_PARTIAL_SAMPLE',
  /** write() or flush() on a closed WAV writer. */
  WriterClosed: 'ERR_WAV_WRITER_CLOSED',
  /** Reading, writing or repairing the file failed at the file-system level (see `cause`). */
  Io: 'ERR_WAV_IO',
} as const;
export type WavErrorCode = (typeof WavErrorCode)[keyof typeof WavErrorCode];

/** A WAV file that cannot be read, written or repaired; `path` is set when a file was involved. */
export class WavError extends AcsAudioError<WavErrorCode> {
  override name = 'WavError';
  readonly path: string | undefined;
  /** The message without the path prefix. */
  readonly reason: string;

  constructor(code: WavErrorCode, reason: string, options?: { cause?: unknown; path?: string }) {
    super(code, options?.path === undefined ? reason : `${options.path}: ${reason}`, options);
    this.path = options?.path;
    this.reason = reason;
  }
}

/** True when `value` is a WavError (optionally with the given code). */
export function isWavError(value: unknown, code?: WavErrorCode): value is WavError {
  return value instanceof WavError && (code === undefined || value.code === code);
}

/** Stable codes of {@link AudioError}. */
export const AudioErrorCode = {
  /** A sample rate that is not a positive integer, or that has no whole number of samples per 20 ms frame. */
  BadSampleRate: 'ERR_AUDIO_BAD_SAMPLE_RATE',
  /** A channel count that is not a positive integer, or samples that are not whole frames of it. */
  BadChannels: 'ERR_AUDIO_BAD_CHANNELS',
} as const;
export type AudioErrorCode = (typeof AudioErrorCode)[keyof typeof AudioErrorCode];

/** A bad argument to one of the pure PCM functions (a programming error, not bad input audio). */
export class AudioError extends AcsAudioError<AudioErrorCode> {
  override name = 'AudioError';

  constructor(code: AudioErrorCode, message: string) {
    super(code, message);
  }
}

/** True when `value` is an AudioError (optionally with the given code). */
export function isAudioError(value: unknown, code?: AudioErrorCode): value is AudioError {
  return value instanceof AudioError && (code === undefined || value.code === code);
}

/** Throws ERR_AUDIO_BAD_SAMPLE_RATE unless `rate` is a positive integer; `what` names the argument. */
export function checkSampleRate(rate: number, what: string): void {
  if (!Number.isInteger(rate) || rate <= 0 || rate > 1_000_000) {
    throw new AudioError(AudioErrorCode.BadSampleRate, `${what} must be a whole number of Hz between 1 and 1000000, got ${rate}`);
  }
}

/** Throws ERR_AUDIO_BAD_CHANNELS unless `channels` is a positive integer. */
export function checkChannels(channels: number): void {
  if (!Number.isInteger(channels) || channels < 1 || channels > 64) {
    throw new AudioError(AudioErrorCode.BadChannels, `channels must be a whole number from 1 to 64, got ${channels}`);
  }
}
