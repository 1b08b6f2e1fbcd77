// The bodies of transcription-socket packets (docs/protocol.md §1: TranscriptionMetadata, TranscriptionData).
// Offsets and durations are read from the number text (bigint ticks); unknown fields are kept in `extra`.

import { field, isJsonObject, unknownFields, type JsonObject } from './json-fields.js';
import { JsonNumber, parseJsonLossless, toPlainJson, type LosslessValue } from './json-lossless.js';
import type { ParseResult, PacketRejection, ResultStatus, TranscriptionWord } from './packets.js';
import { describe, reject } from './rejection.js';
import { ticksFromNumberText } from './ticks.js';

const METADATA_FIELDS = new Set(['subscriptionid', 'locale', 'callconnectionid', 'correlationid', 'speechrecognitionmodelendpointid']);
const DATA_FIELDS = new Set(['text', 'format', 'confidence', 'offset', 'duration', 'words', 'participantrawid', 'resultstatus']);

function keep(value: unknown): unknown {
  return value;
}

function plain(value: unknown): unknown {
  return toPlainJson(value as LosslessValue);
}

/** A JSON object of the lossless tree (a JsonNumber is an object too, but not a JSON object). */
function isObject(value: unknown): value is JsonObject {
  return isJsonObject(value) && !(value instanceof JsonNumber);
}

function isRejection(value: unknown): value is PacketRejection {
  return typeof value === 'object' && value !== null && (value as PacketRejection).ok === false;
}

/** An optional string field: undefined when absent or null; a rejection for another type. */
function optionalString(body: JsonObject, name: string, where: string): string | undefined | PacketRejection {
  const value = field(body, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  return reject('invalid_field', `${where}.${name} must be a string, got ${describe(plain(value))}`, where);
}

/** TranscriptionMetadata (plain JSON body): subscriptionId and locale are required. */
export function parseTranscriptionMetadataBody(body: JsonObject): ParseResult {
  const kind = 'TranscriptionMetadata';
  const subscriptionId = field(body, 'subscriptionId');
  if (typeof subscriptionId !== 'string') return reject('invalid_field', `${kind}.subscriptionId must be a string, got ${describe(subscriptionId)}`, kind);
  const locale = field(body, 'locale');
  if (typeof locale !== 'string') return reject('invalid_field', `${kind}.locale must be a string such as en-US, got ${describe(locale)}`, kind);
  const callConnectionId = optionalString(body, 'callConnectionId', kind);
  if (isRejection(callConnectionId)) return callConnectionId;
  const correlationId = optionalString(body, 'correlationId', kind);
  if (isRejection(correlationId)) return correlationId;
  const speechRecognitionModelEndpointId = optionalString(body, 'speechRecognitionModelEndpointId', kind);
  if (isRejection(speechRecognitionModelEndpointId)) return speechRecognitionModelEndpointId;
  const extra = unknownFields(body, METADATA_FIELDS, keep);
  return { ok: true, packet: { kind, subscriptionId, locale, callConnectionId, correlationId, speechRecognitionModelEndpointId, extra } };
}

/** Ticks from a lossless number; `required` decides whether absence is an error. */
function readTicks(value: unknown, where: string, required: boolean): bigint | undefined | PacketRejection {
  if ((value === undefined || value === null) && !required) return undefined;
  const ticks = value instanceof JsonNumber ? ticksFromNumberText(value.text) : undefined;
  if (ticks === undefined) {
    const shown = value instanceof JsonNumber ? `number ${value.text}` : describe(value);
    return reject('invalid_field', `${where} must be a whole number of 100 ns ticks, got ${shown}`, 'TranscriptionData');
  }
  return ticks;
}

function readWords(value: unknown): TranscriptionWord[] | PacketRejection {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return reject('invalid_field', `TranscriptionData.words must be an array, got ${describe(plain(value))}`, 'TranscriptionData');
  const words: TranscriptionWord[] = [];
  for (let i = 0; i < value.length; i++) {
    const where = `TranscriptionData.words[${i}]`;
    const item: unknown = value[i];
    if (!isObject(item)) return reject('invalid_field', `${where} must be an object, got ${describe(plain(item))}`, 'TranscriptionData');
    const text = field(item, 'text');
    if (typeof text !== 'string') return reject('invalid_field', `${where}.text must be a string, got ${describe(plain(text))}`, 'TranscriptionData');
    const offsetTicks = readTicks(field(item, 'offset'), `${where}.offset`, true);
    if (isRejection(offsetTicks)) return offsetTicks;
    const durationTicks = readTicks(field(item, 'duration'), `${where}.duration`, false);
    if (isRejection(durationTicks)) return durationTicks;
    words.push({ text, offsetTicks: offsetTicks as bigint, durationTicks });
  }
  return words;
}

function readResultStatus(value: unknown): ResultStatus | undefined {
  if (typeof value !== 'string') return undefined;
  const lower = value.toLowerCase();
  return lower === 'final' ? 'Final' : lower === 'intermediate' ? 'Intermediate' : undefined;
}

/** TranscriptionData (lossless JSON body): text, offset and resultStatus are required; words may be absent. */
export function parseTranscriptionDataBody(body: JsonObject): ParseResult {
  const kind = 'TranscriptionData';
  const text = field(body, 'text');
  if (typeof text !== 'string') return reject('invalid_field', `${kind}.text must be a string, got ${describe(plain(text))}`, kind);
  const format = field(body, 'format') ?? 'display';
  if (typeof format !== 'string') return reject('invalid_field', `${kind}.format must be a string, got ${describe(plain(format))}`, kind);
  const confidenceValue = field(body, 'confidence');
  if (confidenceValue != null && !(confidenceValue instanceof JsonNumber)) {
    return reject('invalid_field', `${kind}.confidence must be a number, got ${describe(plain(confidenceValue))}`, kind);
  }
  const confidence = confidenceValue instanceof JsonNumber ? Number(confidenceValue.text) : undefined;
  const offsetTicks = readTicks(field(body, 'offset'), `${kind}.offset`, true);
  if (isRejection(offsetTicks)) return offsetTicks;
  const durationTicks = readTicks(field(body, 'duration'), `${kind}.duration`, false);
  if (isRejection(durationTicks)) return durationTicks;
  const words = readWords(field(body, 'words'));
  if (isRejection(words)) return words;
  const participantRawID = optionalString(body, 'participantRawID', kind);
  if (isRejection(participantRawID)) return participantRawID;
  const statusValue = field(body, 'resultStatus');
  const resultStatus = readResultStatus(statusValue);
  if (resultStatus === undefined) {
    return reject('invalid_field', `${kind}.resultStatus must be Final or Intermediate, got ${describe(plain(statusValue))}`, kind);
  }
  const extra = unknownFields(body, DATA_FIELDS, plain);
  return {
    ok: true,
    packet: { kind, text, format, confidence, offsetTicks: offsetTicks as bigint, durationTicks, words, participantRawID, resultStatus, extra },
  };
}

/**
 * TranscriptionData from the message text, re-read losslessly. The caller has parsed the text with JSON.parse and
 * found the body under `bodyKey`; the lossless tree has the same keys.
 */
export function parseTranscriptionDataText(text: string, bodyKey: string): ParseResult {
  let root: LosslessValue;
  try {
    root = parseJsonLossless(text);
  } catch (cause) {
    return reject('invalid_json', `TranscriptionData could not be read with exact offsets: ${(cause as Error).message}`, 'TranscriptionData');
  }
  const body = isObject(root) ? root[bodyKey] : undefined;
  if (!isObject(body)) return reject('missing_body', `TranscriptionData has no ${bodyKey} object`, 'TranscriptionData');
  return parseTranscriptionDataBody(body);
}
