// The protocol and audio functions the media layer uses, gathered in one place.
// TEMPORARY private stand-ins while src/protocol and src/audio are being written; this file becomes re-exports.
import { open, type FileHandle } from 'node:fs/promises';
import type { AudioDataPacket, InboundPacket, OutboundPacket, ParseResult, SampleRate } from '../protocol/index.js';

/** Samples in one 20 ms frame at a rate. */
export function frameSamples(sampleRate: number): number {
  return (sampleRate / 50) | 0;
}

/** Bytes in one 20 ms PCM16 frame at a rate. */
export function frameBytes(sampleRate: number): number {
  return frameSamples(sampleRate) * 2;
}

/** RMS level in dBFS; -Infinity for digital silence. */
export function levelDbfs(samples: Int16Array): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i] * samples[i];
  if (sum === 0) return -Infinity;
  return 20 * Math.log10(Math.sqrt(sum / samples.length) / 32768);
}

/** Linear-interpolation resampler (stand-in quality). */
export function resample(samples: Int16Array, fromRate: number, toRate: number): Int16Array {
  if (fromRate === toRate) return samples.slice();
  const outLength = Math.floor((samples.length * toRate) / fromRate);
  const out = new Int16Array(outLength);
  const step = fromRate / toRate;
  for (let i = 0; i < outLength; i++) {
    const pos = i * step;
    const i0 = Math.floor(pos);
    const i1 = Math.min(i0 + 1, samples.length - 1);
    const frac = pos - i0;
    out[i] = Math.round(samples[i0] * (1 - frac) + samples[i1] * frac);
  }
  return out;
}

/** Streaming resampler: chunks in, chunks out (stand-in: per-chunk, no state). */
export function createResampler(fromRate: number, toRate: number): { push(chunk: Int16Array): Int16Array; flush(): Int16Array } {
  return { push: (chunk) => resample(chunk, fromRate, toRate), flush: () => new Int16Array(0) };
}

/** Down-mix interleaved PCM to mono by averaging channels. */
export function toMono(samples: Int16Array, channels: number): Int16Array {
  if (channels === 1) return samples;
  const out = new Int16Array(Math.floor(samples.length / channels));
  for (let i = 0; i < out.length; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += samples[i * channels + c];
    out[i] = Math.round(sum / channels);
  }
  return out;
}

/** Parse a PCM16 WAV file (stand-in). */
export function readWav(buffer: Buffer): { sampleRate: number; channels: number; samples: Int16Array } {
  if (buffer.toString('ascii', 0, 4) !== 'RIFF' || buffer.toString('ascii', 8, 12) !== 'WAVE') throw new Error('not a WAV file');
  let pos = 12;
  let sampleRate = 0;
  let channels = 0;
  while (pos + 8 <= buffer.length) {
    const id = buffer.toString('ascii', pos, pos + 4);
    const size = buffer.readUInt32LE(pos + 4);
    if (id === 'fmt ') {
      channels = buffer.readUInt16LE(pos + 10);
      sampleRate = buffer.readUInt32LE(pos + 12);
    } else if (id === 'data') {
      const end = Math.min(buffer.length, pos + 8 + size);
      const bytes = buffer.subarray(pos + 8, end - ((end - pos - 8) % 2));
      const samples = new Int16Array(bytes.length / 2);
      for (let i = 0; i < samples.length; i++) samples[i] = bytes.readInt16LE(i * 2);
      return { sampleRate, channels, samples };
    }
    pos += 8 + size + (size % 2);
  }
  throw new Error('WAV has no data chunk');
}

/** A WAV file written incrementally; valid after every flush (stand-in). */
export interface WavWriter {
  write(samples: Int16Array): void;
  flush(): Promise<void>;
  close(): Promise<void>;
  readonly samplesWritten: number;
  readonly pendingBytes: number;
}

function wavHeader(sampleRate: number, dataBytes: number): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

/** Create a WAV writer (stand-in): opens the file, buffers in memory, appends and patches the header on flush. */
export async function createWavWriter(path: string, options: { sampleRate: number }): Promise<WavWriter> {
  await (await open(path, 'w')).close();
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let samplesWritten = 0;
  let flushed = 0;
  let handle: FileHandle | undefined;
  let chain: Promise<void> = Promise.resolve();
  const doFlush = async (): Promise<void> => {
    handle ??= await open(path, 'w+');
    const chunks = pending;
    const bytes = pendingBytes;
    pending = [];
    pendingBytes = 0;
    if (bytes > 0) await handle.write(Buffer.concat(chunks, bytes), 0, bytes, 44 + flushed);
    flushed += bytes;
    await handle.write(wavHeader(options.sampleRate, flushed), 0, 44, 0);
  };
  const writer: WavWriter = {
    write(samples) {
      const b = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
      pending.push(Buffer.from(b));
      pendingBytes += b.length;
      samplesWritten += samples.length;
    },
    flush() {
      chain = chain.then(doFlush);
      return chain;
    },
    async close() {
      await writer.flush();
      await handle?.close();
      handle = undefined;
    },
    get samplesWritten() {
      return samplesWritten;
    },
    get pendingBytes() {
      return pendingBytes;
    },
  };
  return writer;
}

const KINDS: Record<string, string> = {
  audiometadata: 'AudioMetadata',
  audiodata: 'AudioData',
  dtmfdata: 'DtmfData',
  transcriptionmetadata: 'TranscriptionMetadata',
  transcriptiondata: 'TranscriptionData',
};

/** Parse one inbound message (stand-in: the happy path plus the obvious rejections). */
export function parsePacket(data: Buffer | string, options: { expectedFrameBytes?: number } = {}): ParseResult {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(typeof data === 'string' ? data : data.toString('utf8')) as Record<string, unknown>;
  } catch (cause) {
    return { ok: false, reason: 'invalid_json', detail: String(cause) };
  }
  if (json === null || typeof json !== 'object') return { ok: false, reason: 'not_object', detail: 'not an object' };
  const kind = KINDS[String(json.kind ?? '').toLowerCase()];
  if (kind === undefined) return { ok: false, reason: 'unknown_kind', detail: String(json.kind) };
  const bodyKey = kind[0].toLowerCase() + kind.slice(1);
  const body = json[bodyKey] as Record<string, unknown> | undefined;
  if (body == null || typeof body !== 'object') return { ok: false, reason: 'missing_body', detail: bodyKey, kind };
  switch (kind) {
    case 'AudioMetadata':
      return {
        ok: true,
        packet: {
          kind: 'AudioMetadata',
          subscriptionId: String(body.subscriptionId),
          encoding: String(body.encoding),
          sampleRate: body.sampleRate as SampleRate,
          channels: Number(body.channels),
          length: Number(body.length),
        },
      };
    case 'AudioData': {
      const bytes = Buffer.from(String(body.data), 'base64');
      if (options.expectedFrameBytes !== undefined && bytes.length !== options.expectedFrameBytes) {
        return { ok: false, reason: 'bad_length', detail: `${bytes.length} bytes`, kind };
      }
      const timestampMs = Date.parse(String(body.timestamp));
      if (!Number.isFinite(timestampMs)) return { ok: false, reason: 'bad_timestamp', detail: String(body.timestamp), kind };
      const samples = new Int16Array(bytes.length >> 1);
      for (let i = 0; i < samples.length; i++) samples[i] = bytes.readInt16LE(i * 2);
      const packet: AudioDataPacket = {
        kind: 'AudioData',
        timestamp: String(body.timestamp),
        timestampMs,
        participantRawID: (body.participantRawID ?? body.participantRawId) as string | undefined,
        silent: body.silent === true,
        samples,
      };
      return { ok: true, packet };
    }
    case 'DtmfData':
      return {
        ok: true,
        packet: { kind: 'DtmfData', tone: String(body.data), data: String(body.data), timestamp: undefined, timestampMs: undefined, participantRawID: undefined },
      };
    case 'TranscriptionMetadata':
      return {
        ok: true,
        packet: {
          kind: 'TranscriptionMetadata',
          subscriptionId: String(body.subscriptionId),
          locale: String(body.locale),
          callConnectionId: body.callConnectionId as string | undefined,
          correlationId: undefined,
          speechRecognitionModelEndpointId: undefined,
          extra: {},
        },
      };
    default:
      return {
        ok: true,
        packet: {
          kind: 'TranscriptionData',
          text: String(body.text),
          format: 'display',
          confidence: undefined,
          offsetTicks: BigInt(String(body.offset ?? 0)),
          durationTicks: undefined,
          words: [],
          participantRawID: body.participantRawID as string | undefined,
          resultStatus: String(body.resultStatus).toLowerCase() === 'final' ? 'Final' : 'Intermediate',
          extra: {},
        },
      };
  }
}

/** Serialize an outbound packet in the JS SDK shape (PROTOCOL.md §2). */
export function serializeOutbound(packet: OutboundPacket): string {
  if (packet.kind === 'StopAudio') return '{"kind":"stopAudio","stopAudio":{}}';
  const data = Buffer.from(packet.samples.buffer, packet.samples.byteOffset, packet.samples.byteLength).toString('base64');
  return `{"kind":"audioData","audioData":{"data":"${data}","isSilent":false}}`;
}

/** Serialize an inbound packet as ACS would send it (stand-in, for tests). */
export function serializePacket(packet: InboundPacket): string {
  switch (packet.kind) {
    case 'AudioData': {
      const data = Buffer.from(packet.samples.buffer, packet.samples.byteOffset, packet.samples.byteLength).toString('base64');
      const body: Record<string, unknown> = { timestamp: packet.timestamp, data, silent: packet.silent };
      if (packet.participantRawID !== undefined) body.participantRawID = packet.participantRawID;
      return JSON.stringify({ kind: 'AudioData', audioData: body });
    }
    case 'AudioMetadata': {
      const { kind: _k, ...rest } = packet;
      return JSON.stringify({ kind: 'AudioMetadata', audioMetadata: rest });
    }
    case 'DtmfData':
      return JSON.stringify({ kind: 'DtmfData', dtmfData: { data: packet.data } });
    case 'TranscriptionMetadata':
      return JSON.stringify({ kind: 'TranscriptionMetadata', transcriptionMetadata: { subscriptionId: packet.subscriptionId, locale: packet.locale, callConnectionId: packet.callConnectionId } });
    case 'TranscriptionData':
      return JSON.stringify({
        kind: 'TranscriptionData',
        transcriptionData: { text: packet.text, offset: packet.offsetTicks.toString(), resultStatus: packet.resultStatus, participantRawID: packet.participantRawID },
      });
  }
}
