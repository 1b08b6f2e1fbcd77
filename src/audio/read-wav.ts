// Reads PCM16 WAV files into memory, walking the RIFF chunks (extra chunks like LIST and fact are skipped, odd
// chunk sizes get their pad byte) and refusing every other encoding with a WavError saying what to do.
import { readFile } from 'node:fs/promises';
import { WavError, WavErrorCode } from './audio-error.js';
import { checkRiffHeader, parseFmtChunk, type WavFormat } from './wav-header.js';

/** A decoded WAV: interleaved 16-bit samples. */
export interface WavAudio {
  readonly sampleRate: number;
  readonly channels: number;
  /** Interleaved samples (frames × channels). */
  readonly samples: Int16Array;
  readonly durationMs: number;
}

/** Options for {@link readWav}. */
export interface ReadWavOptions {
  /**
   * Read the samples that are there when the data chunk is shorter than its header says (a file cut short by a
   * crash) instead of throwing WAV_TRUNCATED. `acs-audio repair` fixes such files for good.
   * @default false
   */
  readonly allowTruncated?: boolean;
  /** File the bytes came from, for error messages. */
  readonly path?: string;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Copies little-endian PCM16 bytes into a fresh (aligned) Int16Array. */
function decodeSamples(bytes: Buffer): Int16Array {
  const samples = new Int16Array(bytes.length >> 1);
  if (LITTLE_ENDIAN) {
    new Uint8Array(samples.buffer).set(bytes.subarray(0, samples.length * 2));
  } else {
    for (let i = 0; i < samples.length; i++) samples[i] = bytes.readInt16LE(i * 2);
  }
  return samples;
}

/** Parses a PCM16 WAV (mono, stereo or more channels, any rate). Throws WavError with a stable code. */
export function readWav(buf: Buffer, options: ReadWavOptions = {}): WavAudio {
  const { path } = options;
  checkRiffHeader(buf, path);
  let format: WavFormat | undefined;
  let pos = 12;
  while (pos + 8 <= buf.length) {
    const id = buf.toString('latin1', pos, pos + 4);
    const size = buf.readUInt32LE(pos + 4);
    const body = pos + 8;
    if (id === 'fmt ') {
      if (body + size > buf.length) {
        throw new WavError(WavErrorCode.Truncated, `the fmt chunk at byte ${pos} runs past the end of the file`, { path });
      }
      format = parseFmtChunk(buf.subarray(body, body + size), path);
    } else if (id === 'data') {
      if (format === undefined) {
        throw new WavError(WavErrorCode.BadFormat, 'the data chunk comes before any fmt chunk', { path });
      }
      const available = buf.length - body;
      if (size > available && !options.allowTruncated) {
        throw new WavError(
          WavErrorCode.Truncated,
          `the data chunk declares ${size} bytes but only ${available} follow; the file was cut short ` +
            '(run `acs-audio repair <folder>` to fix it)',
          { path },
        );
      }
      const usable = Math.min(size, available);
      const bytes = buf.subarray(body, body + usable - (usable % format.blockAlign));
      return audioOf(format, decodeSamples(bytes));
    }
    pos = body + size + (size & 1);
  }
  if (format === undefined) throw new WavError(WavErrorCode.BadFormat, 'there is no fmt chunk', { path });
  throw new WavError(WavErrorCode.NoData, 'there is no data chunk', { path });
}

function audioOf(format: WavFormat, samples: Int16Array): WavAudio {
  const frames = samples.length / format.channels;
  return {
    sampleRate: format.sampleRate,
    channels: format.channels,
    samples,
    durationMs: (frames * 1000) / format.sampleRate,
  };
}

/** Reads and parses a WAV file; a file-system failure becomes WAV_IO with the cause kept. */
export async function readWavFile(path: string, options: Omit<ReadWavOptions, 'path'> = {}): Promise<WavAudio> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (cause) {
    throw new WavError(WavErrorCode.Io, `cannot read the file: ${(cause as Error).message}`, { cause, path });
  }
  return readWav(buf, { ...options, path });
}
