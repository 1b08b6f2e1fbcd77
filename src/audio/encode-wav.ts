// Encodes PCM16 samples as a complete WAV file in memory.
import { checkChannels, checkSampleRate, WavError, WavErrorCode } from './audio-error.js';
import { MAX_WAV_DATA_BYTES, serializeWavHeader, WAV_HEADER_BYTES } from './wav-header.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Copies samples into `target` at `offset` as little-endian PCM16 bytes. */
export function writePcm16(samples: Int16Array, target: Buffer, offset: number): void {
  if (LITTLE_ENDIAN) {
    target.set(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength), offset);
  } else {
    for (let i = 0; i < samples.length; i++) target.writeInt16LE(samples[i], offset + i * 2);
  }
}

/** A canonical 44-byte-header PCM16 WAV of interleaved `samples`. */
export function encodeWav(samples: Int16Array, sampleRate: number, channels = 1): Buffer {
  checkSampleRate(sampleRate, 'sampleRate');
  checkChannels(channels);
  if (samples.length % channels !== 0) {
    throw new WavError(WavErrorCode.PartialSample, `${samples.length} samples are not whole frames of ${channels} channels`);
  }
  if (samples.byteLength > MAX_WAV_DATA_BYTES) {
    throw new WavError(WavErrorCode.TooLarge, `${samples.byteLength} bytes of audio do not fit in a WAV file (4 GiB)`);
  }
  const out = Buffer.alloc(WAV_HEADER_BYTES + samples.byteLength);
  serializeWavHeader(sampleRate, channels, samples.byteLength).copy(out, 0);
  writePcm16(samples, out, WAV_HEADER_BYTES);
  return out;
}
