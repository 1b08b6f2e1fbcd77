// serializePacket: a typed inbound packet → the exact JSON text ACS sends (docs/protocol.md §1: field names and
// order as in the published packets). The emulator speaks through it; parsePacket(serializePacket(p)) equals p.

import { encodePcmBase64 } from './base64-pcm.js';
import type {
  AudioDataPacket,
  AudioMetadataPacket,
  DtmfDataPacket,
  InboundPacket,
  TranscriptionDataPacket,
  TranscriptionMetadataPacket,
  TranscriptionWord,
} from './packets.js';

/** `,"name":value` for each defined entry, in order; values are JSON text already. */
function members(entries: ReadonlyArray<readonly [string, string | undefined]>): string {
  let text = '';
  for (const [name, value] of entries) {
    if (value === undefined) continue;
    text += `${text === '' ? '' : ','}${JSON.stringify(name)}:${value}`;
  }
  return text;
}

function str(value: string | undefined): string | undefined {
  return value === undefined ? undefined : JSON.stringify(value);
}

/** `extra` fields after the known ones; keys that would shadow a known field (any casing) are left out. */
function extraEntries(extra: Record<string, unknown>, known: readonly string[]): Array<[string, string | undefined]> {
  const shadowed = new Set(known.map((name) => name.toLowerCase()));
  return Object.keys(extra)
    .filter((key) => !shadowed.has(key.toLowerCase()))
    .map((key) => [key, JSON.stringify(extra[key])]);
}

function audioMetadata(p: AudioMetadataPacket): string {
  return members([
    ['subscriptionId', str(p.subscriptionId)],
    ['encoding', str(p.encoding)],
    ['sampleRate', String(p.sampleRate)],
    ['channels', String(p.channels)],
    ['length', String(p.length)],
  ]);
}

function audioData(p: AudioDataPacket): string {
  return members([
    ['timestamp', str(p.timestamp)],
    ['participantRawID', str(p.participantRawID)],
    ['data', `"${encodePcmBase64(p.samples)}"`],
    ['silent', String(p.silent)],
  ]);
}

function dtmfData(p: DtmfDataPacket): string {
  return members([
    ['data', str(p.data)],
    ['timestamp', str(p.timestamp)],
    ['participantRawID', str(p.participantRawID)],
  ]);
}

const TRANSCRIPTION_METADATA_FIELDS = ['subscriptionId', 'locale', 'callConnectionId', 'correlationId', 'speechRecognitionModelEndpointId'];

function transcriptionMetadata(p: TranscriptionMetadataPacket): string {
  return members([
    ['subscriptionId', str(p.subscriptionId)],
    ['locale', str(p.locale)],
    ['callConnectionId', str(p.callConnectionId)],
    ['correlationId', str(p.correlationId)],
    ['speechRecognitionModelEndpointId', str(p.speechRecognitionModelEndpointId)],
    ...extraEntries(p.extra, TRANSCRIPTION_METADATA_FIELDS),
  ]);
}

function word(w: TranscriptionWord): string {
  return `{${members([
    ['text', str(w.text)],
    ['offset', w.offsetTicks.toString()],
    ['duration', w.durationTicks?.toString()],
  ])}}`;
}

const TRANSCRIPTION_DATA_FIELDS = ['text', 'format', 'confidence', 'offset', 'duration', 'words', 'participantRawID', 'resultStatus'];

function transcriptionData(p: TranscriptionDataPacket): string {
  return members([
    ['text', str(p.text)],
    ['format', str(p.format)],
    ['confidence', p.confidence === undefined ? undefined : JSON.stringify(p.confidence)],
    ['offset', p.offsetTicks.toString()],
    ['duration', p.durationTicks?.toString()],
    // Always present: SDK 1.6.0 crashes on a TranscriptionData without `words`.
    ['words', `[${p.words.map(word).join(',')}]`],
    ['participantRawID', str(p.participantRawID)],
    ['resultStatus', str(p.resultStatus)],
    ...extraEntries(p.extra, TRANSCRIPTION_DATA_FIELDS),
  ]);
}

/**
 * The JSON text ACS would send for a packet: `{"kind":"AudioData","audioData":{...}}`. Optional fields that are
 * undefined are left out; AudioData's `timestamp` is written verbatim (`timestampMs` is not consulted), and its
 * samples as base64 of 16-bit little-endian PCM.
 */
export function serializePacket(packet: InboundPacket): string {
  switch (packet.kind) {
    case 'AudioData':
      return `{"kind":"AudioData","audioData":{${audioData(packet)}}}`;
    case 'AudioMetadata':
      return `{"kind":"AudioMetadata","audioMetadata":{${audioMetadata(packet)}}}`;
    case 'DtmfData':
      return `{"kind":"DtmfData","dtmfData":{${dtmfData(packet)}}}`;
    case 'TranscriptionMetadata':
      return `{"kind":"TranscriptionMetadata","transcriptionMetadata":{${transcriptionMetadata(packet)}}}`;
    case 'TranscriptionData':
      return `{"kind":"TranscriptionData","transcriptionData":{${transcriptionData(packet)}}}`;
  }
}
