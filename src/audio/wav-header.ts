// The RIFF/WAVE layout shared by the reader, the writer and the repairer: the canonical 44-byte PCM16 header we
// write, and the `fmt ` chunk we accept (16-bit integer PCM, plain or WAVE_FORMAT_EXTENSIBLE).
import { WavError, WavErrorCode } from './audio-error.js';

/** Bytes before the samples in the files we write: RIFF header (12) + `fmt ` chunk (24) + `data` chunk header (8). */
export const WAV_HEADER_BYTES = 44;
/** Largest `data` chunk a RIFF file can declare (its 32-bit RIFF size must still fit). */
export const MAX_WAV_DATA_BYTES = 0xffffffff - (WAV_HEADER_BYTES - 8);

const FORMAT_PCM = 0x0001;
const FORMAT_IEEE_FLOAT = 0x0003;
const FORMAT_ALAW = 0x0006;
const FORMAT_MULAW = 0x0007;
const FORMAT_EXTENSIBLE = 0xfffe;
/** First two bytes of the KSDATAFORMAT_SUBTYPE_* GUID carry the plain format tag. */
const FORMAT_NAMES: Record<number, string> = {
  [FORMAT_IEEE_FLOAT]: 'IEEE float',
  [FORMAT_ALAW]: 'A-law',
  [FORMAT_MULAW]: 'µ-law',
  0x0002: 'Microsoft ADPCM',
  0x0011: 'IMA ADPCM',
  0x0055: 'MP3',
};

/** What the `fmt ` chunk says about the samples. */
export interface WavFormat {
  readonly sampleRate: number;
  readonly channels: number;
  /** Bytes per sample frame (all channels): 2 × channels. */
  readonly blockAlign: number;
}

/** The canonical header for `dataBytes` bytes of PCM16 (RIFF size and data size filled in). */
export function serializeWavHeader(sampleRate: number, channels: number, dataBytes: number): Buffer {
  const header = Buffer.alloc(WAV_HEADER_BYTES);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(WAV_HEADER_BYTES - 8 + dataBytes, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(FORMAT_PCM, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * channels * 2, 28);
  header.writeUInt16LE(channels * 2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataBytes, 40);
  return header;
}

/** Throws WAV_NOT_RIFF unless the first 12 bytes read `RIFF....WAVE`. */
export function checkRiffHeader(head: Buffer, path?: string): void {
  if (head.length < 12 || head.toString('latin1', 0, 4) !== 'RIFF' || head.toString('latin1', 8, 12) !== 'WAVE') {
    const what = head.length < 12 ? `only ${head.length} bytes` : `starts with ${JSON.stringify(head.toString('latin1', 0, 4))}`;
    const hint = head.toString('latin1', 0, 4) === 'RF64' ? ' (RF64 is not supported)' : '';
    throw new WavError(WavErrorCode.NotRiff, `not a WAV file: ${what}, expected "RIFF....WAVE"${hint}`, { path });
  }
}

/** Parses a `fmt ` chunk body; throws WAV_UNSUPPORTED_ENCODING for anything but 16-bit integer PCM. */
export function parseFmtChunk(body: Buffer, path?: string): WavFormat {
  if (body.length < 16) {
    throw new WavError(WavErrorCode.Truncated, `the fmt chunk has ${body.length} bytes, needs at least 16`, { path });
  }
  let formatTag = body.readUInt16LE(0);
  const channels = body.readUInt16LE(2);
  const sampleRate = body.readUInt32LE(4);
  const bitsPerSample = body.readUInt16LE(14);
  if (formatTag === FORMAT_EXTENSIBLE) {
    if (body.length < 40) {
      throw new WavError(WavErrorCode.Truncated, `the extensible fmt chunk has ${body.length} bytes, needs 40`, { path });
    }
    formatTag = body.readUInt16LE(24);
  }
  if (formatTag !== FORMAT_PCM || bitsPerSample !== 16) {
    const name = formatTag === FORMAT_PCM ? `${bitsPerSample}-bit PCM` : (FORMAT_NAMES[formatTag] ?? `format 0x${formatTag.toString(16)}`);
    throw new WavError(
      WavErrorCode.UnsupportedEncoding,
      `${name} is not supported; only 16-bit PCM is. Convert it, e.g. \`sox in.wav -b 16 -e signed-integer out.wav\``,
      { path },
    );
  }
  if (channels < 1 || sampleRate < 1) {
    throw new WavError(WavErrorCode.BadFormat, `impossible format: ${channels} channels at ${sampleRate} Hz`, { path });
  }
  return { sampleRate, channels, blockAlign: channels * 2 };
}
