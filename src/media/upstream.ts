// The protocol and audio functions the media layer uses, gathered in one place.
// Audio comes from src/audio. The protocol part is a TEMPORARY private stand-in while src/protocol is being
// written; it becomes a re-export of src/protocol's parsePacket / serializeOutbound / serializePacket.
import type { AudioDataPacket, InboundPacket, OutboundPacket, ParseResult, SampleRate } from '../protocol/index.js';

export { createResampler, createWavWriter, frameBytes, frameSamples, levelDbfs, readWav, resample, toMono, type WavWriter } from '../audio/index.js';

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
