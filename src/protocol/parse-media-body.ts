// The bodies of media-socket packets, from JSON values to typed packets (docs/protocol.md §1: AudioMetadata,
// AudioData, DtmfData). The general path: every rule is spelled out here; the AudioData fast path must agree.

import { frameBytesFor, isSampleRate } from './audio-format.js';
import { decodePcmString } from './base64-pcm.js';
import { normalizeDtmfTone } from './dtmf-tone.js';
import { field, type JsonObject } from './json-fields.js';
import type { ParseResult } from './packets.js';
import type { ParseOptions } from './parse-options.js';
import { describe, reject } from './rejection.js';
import { parseTimestampMs } from './timestamp.js';

/** An optional string field: undefined when absent or null; the rejection when another type. */
function optionalString(body: JsonObject, name: string, where: string): string | undefined | ParseResult {
  const value = field(body, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  return reject('invalid_field', `${where}.${name} must be a string, got ${describe(value)}`, where);
}

function positiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

/** AudioMetadata: `encoding` defaults to PCM, `channels` to 1, `length` to the rate's 20 ms frame size. */
export function parseAudioMetadataBody(body: JsonObject): ParseResult {
  const kind = 'AudioMetadata';
  const subscriptionId = field(body, 'subscriptionId');
  if (typeof subscriptionId !== 'string') {
    return reject('invalid_field', `${kind}.subscriptionId must be a string (the call's media streaming subscription), got ${describe(subscriptionId)}`, kind);
  }
  const sampleRate = field(body, 'sampleRate');
  if (!isSampleRate(sampleRate)) {
    return reject('bad_sample_rate', `${kind}.sampleRate must be 16000 or 24000 (pcm16KMono / pcm24KMono), got ${describe(sampleRate)}`, kind);
  }
  const encoding = field(body, 'encoding') ?? 'PCM';
  if (typeof encoding !== 'string') return reject('invalid_field', `${kind}.encoding must be a string, got ${describe(encoding)}`, kind);
  const channels = field(body, 'channels') ?? 1;
  if (!positiveInteger(channels)) return reject('invalid_field', `${kind}.channels must be a positive integer, got ${describe(channels)}`, kind);
  const length = field(body, 'length') ?? frameBytesFor(sampleRate);
  if (!positiveInteger(length)) return reject('invalid_field', `${kind}.length must be a positive integer (bytes per frame), got ${describe(length)}`, kind);
  return { ok: true, packet: { kind, subscriptionId, encoding, sampleRate, channels, length } };
}

/** AudioData: timestamp, participant and silent are checked before the PCM is decoded. */
export function parseAudioDataBody(body: JsonObject, options: ParseOptions): ParseResult {
  const kind = 'AudioData';
  const timestamp = field(body, 'timestamp');
  const timestampMs = typeof timestamp === 'string' ? parseTimestampMs(timestamp) : undefined;
  if (typeof timestamp !== 'string' || timestampMs === undefined) {
    return reject('bad_timestamp', `${kind}.timestamp must be an ISO 8601 date-time such as 2022-10-03T19:16:12.925Z, got ${describe(timestamp)}`, kind);
  }
  const participantRawID = optionalString(body, 'participantRawID', kind);
  if (typeof participantRawID === 'object') return participantRawID;
  const silent = field(body, 'silent') ?? false;
  if (typeof silent !== 'boolean') return reject('invalid_field', `${kind}.silent must be true or false, got ${describe(silent)}`, kind);
  const data = field(body, 'data');
  if (typeof data !== 'string') return reject('invalid_field', `${kind}.data must be a base64 string, got ${describe(data)}`, kind);
  const samples = decodePcmString(data);
  if (samples === 'bad_base64') {
    return reject('bad_base64', `${kind}.data is not valid base64 (standard alphabet A-Z a-z 0-9 + /, '=' padding only at the end): ${describe(data)}`, kind);
  }
  if (samples === 'bad_length') {
    return reject('bad_length', `${kind}.data decodes to an odd number of bytes; 16-bit PCM needs 2 bytes per sample`, kind);
  }
  const expected = options.expectedFrameBytes;
  if (expected !== undefined && samples.byteLength !== expected) {
    return reject('bad_length', `${kind}.data decodes to ${samples.byteLength} bytes but this session's frames are ${expected} bytes (20 ms at the metadata's sample rate)`, kind);
  }
  return { ok: true, packet: { kind, timestamp, timestampMs, participantRawID, silent, samples } };
}

/** DtmfData: `data` is a tone character or word; `timestamp` and `participantRawID` are optional. */
export function parseDtmfDataBody(body: JsonObject): ParseResult {
  const kind = 'DtmfData';
  const data = field(body, 'data');
  const tone = typeof data === 'string' ? normalizeDtmfTone(data) : undefined;
  if (typeof data !== 'string' || tone === undefined) {
    return reject('invalid_field', `${kind}.data must be a DTMF tone (0-9, *, #, A-D, or star/asterisk/pound/hash), got ${describe(data)}`, kind);
  }
  const timestampValue = field(body, 'timestamp');
  let timestamp: string | undefined;
  let timestampMs: number | undefined;
  if (timestampValue !== undefined && timestampValue !== null) {
    timestampMs = typeof timestampValue === 'string' ? parseTimestampMs(timestampValue) : undefined;
    if (typeof timestampValue !== 'string' || timestampMs === undefined) {
      return reject('bad_timestamp', `${kind}.timestamp must be an ISO 8601 date-time when present, got ${describe(timestampValue)}`, kind);
    }
    timestamp = timestampValue;
  }
  const participantRawID = optionalString(body, 'participantRawID', kind);
  if (typeof participantRawID === 'object') return participantRawID;
  return { ok: true, packet: { kind, tone, data, timestamp, timestampMs, participantRawID } };
}
