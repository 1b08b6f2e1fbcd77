// INTERIM: stand-ins for src/protocol and src/audio functions that have not landed yet, with the same names and
// signatures. The engine imports them from here only; once the shared modules are committed this file goes and the
// imports point at '../../protocol/index.js' and '../../audio/index.js'.
import { createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { InboundPacket, OutboundPacket } from '../../protocol/index.js';

export function frameSamples(rate: number): number {
  return rate / 50;
}

export function frameBytesFor(rate: number): number {
  return rate / 25;
}

export function formatTimestamp(ms: number): string {
  return new Date(Math.floor(ms)).toISOString();
}

export function serializePacket(packet: InboundPacket): string {
  const big = (value: bigint | undefined): string | undefined => (value === undefined ? undefined : `@@${value}@@`);
  let body: Record<string, unknown>;
  switch (packet.kind) {
    case 'AudioMetadata':
      body = {
        subscriptionId: packet.subscriptionId,
        encoding: packet.encoding,
        sampleRate: packet.sampleRate,
        channels: packet.channels,
        length: packet.length,
      };
      break;
    case 'AudioData':
      body = {
        timestamp: packet.timestamp,
        participantRawID: packet.participantRawID,
        data: Buffer.from(packet.samples.buffer, packet.samples.byteOffset, packet.samples.byteLength).toString('base64'),
        silent: packet.silent,
      };
      break;
    case 'DtmfData':
      body = { data: packet.data, timestamp: packet.timestamp, participantRawID: packet.participantRawID };
      break;
    case 'TranscriptionMetadata':
      body = {
        subscriptionId: packet.subscriptionId,
        locale: packet.locale,
        callConnectionId: packet.callConnectionId,
        correlationId: packet.correlationId,
        speechRecognitionModelEndpointId: packet.speechRecognitionModelEndpointId,
        ...packet.extra,
      };
      break;
    case 'TranscriptionData':
      body = {
        text: packet.text,
        format: packet.format,
        confidence: packet.confidence,
        offset: big(packet.offsetTicks),
        duration: big(packet.durationTicks),
        words: packet.words.map((w) => ({ text: w.text, offset: big(w.offsetTicks), duration: big(w.durationTicks) })),
        participantRawID: packet.participantRawID,
        resultStatus: packet.resultStatus,
        ...packet.extra,
      };
      break;
  }
  const key = packet.kind[0].toLowerCase() + packet.kind.slice(1);
  return JSON.stringify({ kind: packet.kind, [key]: body }).replace(/"@@(-?\d+)@@"/g, '$1');
}

type OutboundResult = { ok: true; packet: OutboundPacket } | { ok: false; reason: string; detail: string };

export function parseOutboundPacket(data: string | Buffer): OutboundResult {
  let value: unknown;
  try {
    value = JSON.parse(typeof data === 'string' ? data : data.toString('utf8'));
  } catch {
    return { ok: false, reason: 'invalid_json', detail: 'not JSON' };
  }
  if (value === null || typeof value !== 'object') return { ok: false, reason: 'not_object', detail: 'not an object' };
  const get = (object: object, name: string): unknown => {
    for (const [k, v] of Object.entries(object)) if (k.toLowerCase() === name) return v;
    return undefined;
  };
  const kind = String(get(value, 'kind') ?? '').toLowerCase();
  if (kind === 'stopaudio') return { ok: true, packet: { kind: 'StopAudio' } };
  if (kind !== 'audiodata') return { ok: false, reason: 'unknown_kind', detail: `kind ${kind}` };
  const body = get(value, 'audiodata');
  const b64 = body !== null && typeof body === 'object' ? get(body, 'data') : undefined;
  if (typeof b64 !== 'string') return { ok: false, reason: 'missing_body', detail: 'no audioData.data' };
  const bytes = Buffer.from(b64, 'base64');
  if (bytes.length % 2 !== 0) return { ok: false, reason: 'bad_length', detail: 'odd byte count' };
  const samples = new Int16Array(bytes.length / 2);
  for (let i = 0; i < samples.length; i++) samples[i] = bytes.readInt16LE(i * 2);
  return { ok: true, packet: { kind: 'AudioData', samples } };
}

export function readWav(buf: Buffer): { sampleRate: number; channels: number; samples: Int16Array; durationMs: number } {
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') throw new Error('not a WAV');
  let offset = 12;
  let sampleRate = 0;
  let channels = 0;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    if (id === 'fmt ') {
      channels = buf.readUInt16LE(offset + 10);
      sampleRate = buf.readUInt32LE(offset + 12);
    } else if (id === 'data') {
      const count = Math.floor(Math.min(size, buf.length - offset - 8) / 2);
      const samples = new Int16Array(count);
      for (let i = 0; i < count; i++) samples[i] = buf.readInt16LE(offset + 8 + i * 2);
      return { sampleRate, channels, samples, durationMs: (count / channels / sampleRate) * 1000 };
    }
    offset += 8 + size + (size % 2);
  }
  throw new Error('no data chunk');
}

export function resample(samples: Int16Array, fromRate: number, toRate: number): Int16Array {
  const out = new Int16Array(Math.round((samples.length * toRate) / fromRate));
  for (let i = 0; i < out.length; i++) {
    const x = (i * fromRate) / toRate;
    const j = Math.floor(x);
    const a = samples[Math.min(j, samples.length - 1)];
    const b = samples[Math.min(j + 1, samples.length - 1)];
    out[i] = Math.round(a + (b - a) * (x - j));
  }
  return out;
}

export function toMono(samples: Int16Array, channels: number): Int16Array {
  const out = new Int16Array(Math.floor(samples.length / channels));
  for (let i = 0; i < out.length; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += samples[i * channels + c];
    out[i] = Math.round(sum / channels);
  }
  return out;
}

export function mixFrames(inputs: Int16Array[], out?: Int16Array): Int16Array {
  const result = out ?? new Int16Array(inputs[0]?.length ?? 0);
  for (let i = 0; i < result.length; i++) {
    let sum = 0;
    for (const input of inputs) sum += input[i] ?? 0;
    result[i] = sum > 32767 ? 32767 : sum < -32768 ? -32768 : sum;
  }
  return result;
}

export function levelDbfs(samples: Int16Array): number {
  let sum = 0;
  for (const s of samples) sum += s * s;
  const rms = Math.sqrt(sum / Math.max(1, samples.length));
  return rms === 0 ? -Infinity : 20 * Math.log10(rms / 32768);
}

export function isSilence(samples: Int16Array, thresholdDbfs = -50): boolean {
  return levelDbfs(samples) < thresholdDbfs;
}

export function createWavWriter(
  path: string,
  options: { sampleRate: number },
): { write(samples: Int16Array): void; flush(): Promise<void>; close(): Promise<void> } {
  const stream = createWriteStream(path);
  let bytes = 0;
  stream.write(Buffer.alloc(44));
  return {
    write(samples) {
      const b = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
      bytes += b.length;
      stream.write(Buffer.from(b));
    },
    flush: async () => undefined,
    async close() {
      await new Promise<void>((resolve) => stream.end(resolve));
      const header = Buffer.alloc(44);
      header.write('RIFF', 0, 'ascii');
      header.writeUInt32LE(36 + bytes, 4);
      header.write('WAVEfmt ', 8, 'ascii');
      header.writeUInt32LE(16, 16);
      header.writeUInt16LE(1, 20);
      header.writeUInt16LE(1, 22);
      header.writeUInt32LE(options.sampleRate, 24);
      header.writeUInt32LE(options.sampleRate * 2, 28);
      header.writeUInt16LE(2, 32);
      header.writeUInt16LE(16, 34);
      header.write('data', 36, 'ascii');
      header.writeUInt32LE(bytes, 40);
      const file = await open(path, 'r+');
      await file.write(header, 0, 44, 0);
      await file.close();
    },
  };
}
